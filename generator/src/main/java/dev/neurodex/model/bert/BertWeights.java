package dev.neurodex.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.neurodex.model.HostTensor;
import dev.neurodex.model.StateDict;
import java.util.ArrayList;
import java.util.List;

/** BERT's weights as NDArrays, checked tensor by tensor against the config. Linear weights are [out, in]. */
record BertWeights(NDArray wordEmbeddings, NDArray positionEmbeddings, NDArray tokenTypeEmbeddings,
                   Norm embeddingNorm, List<Layer> layers) {

    record Norm(NDArray weight, NDArray bias) {}

    record Linear(NDArray weight, NDArray bias) {}

    record Layer(Linear query, Linear key, Linear value, Linear attentionOut, Norm attentionNorm,
                 Linear intermediate, Linear output, Norm outputNorm) {}

    /** Reads the weights under {@code prefix} ("" for an ONNX export, "bert." for some Hugging Face heads). */
    static BertWeights load(StateDict dict, String prefix, BertConfig c, NDManager manager) {
        Loader l = new Loader(dict, prefix, manager);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "encoder.layer." + i + ".";
            layers.add(new Layer(
                    l.linear(p + "attention.self.query", c.hidden(), c.hidden()),
                    l.linear(p + "attention.self.key", c.hidden(), c.hidden()),
                    l.linear(p + "attention.self.value", c.hidden(), c.hidden()),
                    l.linear(p + "attention.output.dense", c.hidden(), c.hidden()),
                    l.norm(p + "attention.output.LayerNorm", c.hidden()),
                    l.linear(p + "intermediate.dense", c.intermediate(), c.hidden()),
                    l.linear(p + "output.dense", c.hidden(), c.intermediate()),
                    l.norm(p + "output.LayerNorm", c.hidden())));
        }
        return new BertWeights(
                l.tensor("embeddings.word_embeddings.weight", c.vocab(), c.hidden()),
                l.tensor("embeddings.position_embeddings.weight", c.maxPositions(), c.hidden()),
                l.tensor("embeddings.token_type_embeddings.weight", c.typeVocab(), c.hidden()),
                l.norm("embeddings.LayerNorm", c.hidden()),
                List.copyOf(layers));
    }

    private record Loader(StateDict dict, String prefix, NDManager manager) {
        NDArray tensor(String name, long... shape) {
            HostTensor t = dict.get(prefix + name, shape);
            return manager.create(t.data(), new Shape(shape));
        }

        Linear linear(String module, int out, int in) {
            return new Linear(tensor(module + ".weight", out, in), tensor(module + ".bias", out));
        }

        Norm norm(String module, int size) {
            return new Norm(tensor(module + ".weight", size), tensor(module + ".bias", size));
        }
    }
}
