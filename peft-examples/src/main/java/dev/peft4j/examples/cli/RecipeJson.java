package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.peft4j.core.train.TrainingRecipe;

/** Reads a {@link TrainingRecipe} from merged JSON with messages that name the key. */
public final class RecipeJson {

    private RecipeJson() {}

    /**
     * @param mapper a strict mapper
     * @param json recipe keys
     * @return the validated recipe
     * @throws IllegalArgumentException naming the key and the bad value, e.g.
     *     {@code recipe.epochs must be an integer, got "two"}, {@code recipe.batch_size must be an integer, got 1.5}
     */
    public static TrainingRecipe read(ObjectMapper mapper, ObjectNode json) {
        try {
            return mapper.treeToValue(json, TrainingRecipe.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("unknown recipe key '" + e.getPropertyName() + "'; known: " + e.getKnownPropertyIds());
        } catch (MismatchedInputException e) {
            String key = e.getPath().isEmpty() ? null : e.getPath().getLast().getFieldName();
            if (key == null || e.getTargetType() == null) {
                throw new IllegalArgumentException("invalid recipe: " + JsonSyntax.reason(e));
            }
            throw new IllegalArgumentException("recipe." + key + " must be " + kind(e.getTargetType()) + ", got " + json.get(key));
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException invalid) {
                throw invalid;
            }
            String key = e.getPath().isEmpty() ? "?" : e.getPath().getLast().getFieldName();
            throw new IllegalArgumentException("invalid recipe." + key + ": " + e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("invalid recipe: " + JsonSyntax.reason(e));
        }
    }

    private static String kind(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        return type == String.class ? "a string" : "a " + type.getSimpleName();
    }
}
