package dev.peft4j.core.spi;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * The configuration of one PEFT method: an immutable record whose compact constructor fills HF
 * PEFT's defaults and validates every field.
 *
 * <p>JSON is polymorphic on {@code peft_type}, HF PEFT's discriminator ({@code "LORA"},
 * {@code "PREFIX_TUNING"}, ...). The runtime registers each installed provider's config type under
 * {@link PeftMethodProvider#peftType()}, so this interface names no subtype. Field names are HF's
 * snake_case names ({@code target_modules}, {@code lora_alpha}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "peft_type")
public interface PeftConfig {

    /**
     * Modules, besides the method's own blocks, that are made trainable and saved with the
     * adapter (HF PEFT {@code modules_to_save}); each entry is a module name or path suffix.
     *
     * @return the entries, empty by default
     */
    default List<String> modulesToSave() {
        return List.of();
    }
}
