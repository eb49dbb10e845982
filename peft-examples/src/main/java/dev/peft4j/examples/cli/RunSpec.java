package dev.peft4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.peft4j.core.runtime.PeftRuntime;
import dev.peft4j.core.train.checkpoint.TrainingCheckpoint;
import dev.peft4j.core.train.checkpoint.TrainingCheckpointException;
import java.io.IOException;

/**
 * What {@code peft train} writes as {@code run.json} into every training checkpoint: everything
 * needed to rebuild the run for {@code --resume} (JSON keys in snake_case).
 *
 * @param method the method's alias
 * @param peftType the method's {@code peft_type}
 * @param methodConfig the merged method keys (preset, {@code --config}, flags) the config was read from
 * @param recipe the merged recipe keys
 * @param maxTrainSamples {@code --max-train-samples}, or {@code null} for all
 * @param maxEvalSamples {@code --max-eval-samples}, or {@code null} for all
 * @param baseModel the pretrained encoder
 * @param saveSteps {@code --save-steps}
 * @param saveTotalLimit {@code --save-total-limit} (0 keeps all)
 */
record RunSpec(String method, String peftType, ObjectNode methodConfig, ObjectNode recipe, Integer maxTrainSamples,
        Integer maxEvalSamples, String baseModel, int saveSteps, int saveTotalLimit) {

    /**
     * @param mapper the runtime's mapper
     * @return the JSON text
     * @throws IOException if it cannot be written
     */
    String toJson(ObjectMapper mapper) throws IOException {
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    }

    /**
     * @param mapper the runtime's mapper
     * @param checkpoint a checkpoint written by {@code peft train}
     * @return its run description
     * @throws TrainingCheckpointException if {@code run.json} is not one {@code peft train} wrote
     */
    /**
     * Checks that {@code method} is the alias of the installed provider of {@code peft_type}.
     *
     * @param runtime the installed methods
     * @param checkpoint where this spec was read from, for the message
     * @throws TrainingCheckpointException {@code ... is damaged: run.json names method 'bogus' but peft_type LORA,
     *     whose method is 'lora'}
     * @throws IllegalArgumentException if no installed method provides {@code peft_type} (listing them)
     */
    void requireConsistent(PeftRuntime runtime, TrainingCheckpoint checkpoint) throws TrainingCheckpointException {
        String alias = runtime.provider(peftType).alias();
        if (!alias.equals(method)) {
            throw new TrainingCheckpointException("training checkpoint " + checkpoint.folder() + " is damaged: run.json names method '"
                    + method + "' but peft_type " + peftType + ", whose method is '" + alias + "'");
        }
    }

    static RunSpec read(ObjectMapper mapper, TrainingCheckpoint checkpoint) throws TrainingCheckpointException {
        try {
            RunSpec spec = mapper.readValue(checkpoint.runJson(), RunSpec.class);
            if (spec.peftType() == null || spec.methodConfig() == null || spec.recipe() == null) {
                throw new TrainingCheckpointException("training checkpoint " + checkpoint.folder()
                        + " is damaged: run.json lacks peft_type, method_config or recipe");
            }
            return spec;
        } catch (IOException e) {
            if (e instanceof TrainingCheckpointException damaged) {
                throw damaged;
            }
            String problem = e instanceof com.fasterxml.jackson.core.JacksonException json ? json.getOriginalMessage() : e.getMessage();
            throw new TrainingCheckpointException("training checkpoint " + checkpoint.folder() + " is damaged: run.json: "
                    + problem.lines().findFirst().orElse(problem), e);
        }
    }
}
