package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.peft4j.core.train.TrainingRecipe;

/** Reads a {@link TrainingRecipe} from merged JSON with messages that name the key. */
public final class RecipeJson {

    private RecipeJson() {}

    /**
     * @param mapper a strict mapper
     * @param json recipe keys
     * @return the validated recipe
     * @throws IllegalArgumentException naming the key and the bad value
     */
    public static TrainingRecipe read(ObjectMapper mapper, ObjectNode json) {
        try {
            return mapper.treeToValue(json, TrainingRecipe.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("unknown recipe key '" + e.getPropertyName() + "'; known: " + e.getKnownPropertyIds());
        } catch (InvalidFormatException e) {
            String key = e.getPath().isEmpty() ? "?" : e.getPath().getLast().getFieldName();
            throw new IllegalArgumentException("recipe." + key + " must be a " + e.getTargetType().getSimpleName().toLowerCase(java.util.Locale.ROOT)
                    + ", got " + e.getValue());
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException invalid) {
                throw invalid;
            }
            String key = e.getPath().isEmpty() ? "?" : e.getPath().getLast().getFieldName();
            throw new IllegalArgumentException("invalid recipe." + key + ": " + e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("invalid recipe: " + e.getOriginalMessage());
        }
    }
}
