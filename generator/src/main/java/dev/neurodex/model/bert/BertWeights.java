package dev.neurodex.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurodex.model.StateDict;
import dev.neurodex.model.nn.LayerNorm;
import dev.neurodex.model.nn.Linear;
import dev.neurodex.model.nn.Weights;
import java.util.ArrayList;
import java.util.List;

/** BERT's weights as NDArrays, checked tensor by tensor against the config. Linear weights are [out, in]. */
record BertWeights(NDArray wordEmbeddings, NDArray positionEmbeddings, NDArray tokenTypeEmbeddings,
                   LayerNorm embeddingNorm, List<Layer> layers) {

    record Layer(Linear query, Linear key, Linear value, Linear attentionOut, LayerNorm attentionNorm,
                 Linear intermediate, Linear output, LayerNorm outputNorm) {}

    /** Reads the weights under {@code prefix} ("" for an ONNX export, "bert." for some Hugging Face heads). */
    static BertWeights load(StateDict dict, String prefix, BertConfig c, NDManager manager) {
        Weights w = new Weights(dict, prefix, manager);
        float eps = c.layerNormEps();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "encoder.layer." + i + ".";
            layers.add(new Layer(
                    w.linear(p + "attention.self.query", c.hidden(), c.hidden()),
                    w.linear(p + "attention.self.key", c.hidden(), c.hidden()),
                    w.linear(p + "attention.self.value", c.hidden(), c.hidden()),
                    w.linear(p + "attention.output.dense", c.hidden(), c.hidden()),
                    w.layerNorm(p + "attention.output.LayerNorm", c.hidden(), eps),
                    w.linear(p + "intermediate.dense", c.intermediate(), c.hidden()),
                    w.linear(p + "output.dense", c.hidden(), c.intermediate()),
                    w.layerNorm(p + "output.LayerNorm", c.hidden(), eps)));
        }
        return new BertWeights(
                w.tensor("embeddings.word_embeddings.weight", c.vocab(), c.hidden()),
                w.tensor("embeddings.position_embeddings.weight", c.maxPositions(), c.hidden()),
                w.tensor("embeddings.token_type_embeddings.weight", c.typeVocab(), c.hidden()),
                w.layerNorm("embeddings.LayerNorm", c.hidden(), eps),
                List.copyOf(layers));
    }
}
