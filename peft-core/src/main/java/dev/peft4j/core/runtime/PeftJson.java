package dev.peft4j.core.runtime;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import dev.peft4j.core.spi.PeftMethodProvider;

/**
 * Builds the Jackson {@link ObjectMapper} that reads and writes PEFT configs.
 *
 * <p>Every installed provider's config type is registered as a subtype of
 * {@link dev.peft4j.core.spi.PeftConfig} under its {@code peft_type}
 * ({@code NamedType(configType, peftType)}). Properties are snake_case (HF PEFT's names) unless a
 * component says otherwise with {@code @JsonProperty}. The mapper is strict about values: unknown
 * properties, duplicate keys, trailing tokens, {@code null} for primitives, floats for integers
 * strings for numbers or booleans ({@code "r": "8"}) and numbers or booleans for strings all fail. Pretty output resembles
 * Python's {@code json.dumps(indent=2, sort_keys=True)}, which HF PEFT uses for
 * {@code adapter_config.json}.
 */
public final class PeftJson {

    private PeftJson() {}

    /**
     * A new mapper knowing every config type of {@code registry}. Each call returns a fresh,
     * independent instance.
     *
     * @param registry the installed methods
     * @return the mapper
     */
    public static ObjectMapper newObjectMapper(MethodRegistry registry) {
        JsonMapper mapper = JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .disable(MapperFeature.SORT_CREATOR_PROPERTIES_FIRST)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .withCoercionConfig(LogicalType.Textual, textual -> textual
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .defaultPrettyPrinter(hfStylePrinter())
                .build();
        for (PeftMethodProvider<?> provider : registry.providers()) {
            mapper.registerSubtypes(new NamedType(provider.configType(), provider.peftType()));
        }
        return mapper;
    }

    private static DefaultPrettyPrinter hfStylePrinter() {
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        return new DefaultPrettyPrinter(separators)
                .withObjectIndenter(indenter)
                .withArrayIndenter(indenter);
    }
}
