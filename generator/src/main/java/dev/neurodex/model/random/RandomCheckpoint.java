package dev.neurodex.model.random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.neurodex.tokenize.Gpt2Vocabulary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a Hugging Face model directory (config.json, model.safetensors, tokenizer.json) with random weights and
 * the exact shapes of a published model: what the benchmark and tests measure research-scale costs on, since no
 * real GPT-2 or Pythia checkpoint can be downloaded here. Weights follow GPT-2's initialisation (normal, standard
 * deviation 0.02; output projections scaled by 1/sqrt(2 · layers); LayerNorm weights 1, biases 0), so activations
 * have a realistic range; the tokenizer is GPT-2's byte-level BPE ({@link Gpt2Vocabulary}).
 */
public final class RandomCheckpoint {
    private RandomCheckpoint() {}

    /**
     * A model's shape.
     *
     * @param family    Hugging Face's model_type: {@code gpt2} or {@code gpt_neox}
     * @param vocab     rows of the embedding (Pythia pads GPT-NeoX's 50,277 tokens to 50,304)
     * @param positions the longest context the model takes
     */
    public record Shape(String name, String family, int layers, int dModel, int heads, int dMlp, int positions,
                        int vocab, int kvHeads, boolean tied) {

        public Shape(String name, String family, int layers, int dModel, int heads, int dMlp, int positions, int vocab) {
            this(name, family, layers, dModel, heads, dMlp, positions, vocab, heads, family.equals("gpt2"));
        }

        public Shape {
            if (!family.equals("gpt2") && !family.equals("gpt_neox") && !family.equals("llama")) {
                throw new IllegalArgumentException("family must be gpt2, gpt_neox or llama, got " + family);
            }
            if (layers < 1 || dModel < 1 || heads < 1 || dModel % heads != 0 || dMlp < 1 || positions < 2 || vocab < 257
                    || kvHeads < 1 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("impossible shape " + this);
            }
        }

        public Shape withLayers(int n) {
            return new Shape(name, family, n, dModel, heads, dMlp, positions, vocab, kvHeads, tied);
        }

        public long parameters() {
            return tensors().values().stream().mapToLong(RandomCheckpoint::size).sum();
        }

        /** Tensor names and shapes in the layout of the family's Hugging Face checkpoints. */
        public Map<String, long[]> tensors() {
            return switch (family) {
                case "gpt2" -> gpt2Tensors(this);
                case "llama" -> llamaTensors(this);
                default -> neoxTensors(this);
            };
        }

        Map<String, Object> config() {
            Map<String, Object> c = new LinkedHashMap<>();
            if (family.equals("gpt2")) {
                c.put("architectures", List.of("GPT2LMHeadModel"));
                c.put("model_type", "gpt2");
                c.put("n_layer", layers);
                c.put("n_embd", dModel);
                c.put("n_head", heads);
                c.put("n_inner", dMlp);
                c.put("n_positions", positions);
                c.put("n_ctx", positions);
                c.put("layer_norm_epsilon", 1e-5);
                c.put("activation_function", "gelu_new");
            } else if (family.equals("llama")) {
                c.put("architectures", List.of("LlamaForCausalLM"));
                c.put("model_type", "llama");
                c.put("num_hidden_layers", layers);
                c.put("hidden_size", dModel);
                c.put("num_attention_heads", heads);
                c.put("num_key_value_heads", kvHeads);
                c.put("intermediate_size", dMlp);
                c.put("max_position_embeddings", positions);
                c.put("rms_norm_eps", 1e-5);
                c.put("rope_theta", 10000.0);
                c.put("hidden_act", "silu");
                c.put("tie_word_embeddings", tied);
            } else {
                c.put("architectures", List.of("GPTNeoXForCausalLM"));
                c.put("model_type", "gpt_neox");
                c.put("num_hidden_layers", layers);
                c.put("hidden_size", dModel);
                c.put("num_attention_heads", heads);
                c.put("intermediate_size", dMlp);
                c.put("max_position_embeddings", positions);
                c.put("rotary_pct", 0.25);
                c.put("rotary_emb_base", 10000);
                c.put("use_parallel_residual", true);
                c.put("hidden_act", "gelu");
                c.put("layer_norm_eps", 1e-5);
                c.put("tie_word_embeddings", false);
            }
            c.put("vocab_size", vocab);
            // GPT-2's byte-level tokenizers put <|endoftext|> last (50256 in the full one); it serves as BOS for
            // both families here.
            int endOfText = Math.min(vocab - 1, Gpt2Vocabulary.END_OF_TEXT);
            c.put("bos_token_id", endOfText);
            c.put("eos_token_id", endOfText);
            c.put("neurodex_random_checkpoint", name);
            return c;
        }
    }

    /** The shapes of published models that `neurodex random-model` knows by name. */
    public static final Map<String, Shape> KNOWN = known(
            new Shape("gpt2-small", "gpt2", 12, 768, 12, 3072, 1024, 50257),
            new Shape("gpt2-medium", "gpt2", 24, 1024, 16, 4096, 1024, 50257),
            new Shape("gpt2-large", "gpt2", 36, 1280, 20, 5120, 1024, 50257),
            new Shape("gpt2-xl", "gpt2", 48, 1600, 25, 6400, 1024, 50257),
            new Shape("pythia-70m", "gpt_neox", 6, 512, 8, 2048, 2048, 50304),
            new Shape("pythia-160m", "gpt_neox", 12, 768, 12, 3072, 2048, 50304),
            new Shape("pythia-410m", "gpt_neox", 24, 1024, 16, 4096, 2048, 50304),
            new Shape("smollm-135m", "llama", 30, 576, 9, 1536, 2048, 49152, 3, true),
            new Shape("tinyllama-1.1b", "llama", 22, 2048, 32, 5632, 2048, 32000, 4, false));

    private static Map<String, Shape> known(Shape... shapes) {
        Map<String, Shape> m = new LinkedHashMap<>();
        for (Shape s : shapes) {
            m.put(s.name(), s);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Writes the directory {@code dir} (created if needed); the same shape and seed give the same bytes. */
    public static void write(Shape shape, long seed, Path dir) throws IOException {
        writeWeights(shape, seed, dir);
        // A smaller embedding than GPT-2's gets GPT-2's BPE cut to its size, so that every id has a row.
        Files.write(dir.resolve("tokenizer.json"), Gpt2Vocabulary.tokenizerJson(shape.vocab()));
    }

    /** config.json and model.safetensors only, for a directory whose tokenizer.json comes from elsewhere. */
    public static void writeWeights(Shape shape, long seed, Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.write(dir.resolve("config.json"), json.writeValueAsBytes(shape.config()));
        writeSafetensors(dir.resolve("model.safetensors"), shape, seed);
    }

    /** F32 safetensors, streamed tensor by tensor: a GPT-2 XL is 6 GB and never has to fit in memory. */
    private static void writeSafetensors(Path file, Shape shape, long seed) throws IOException {
        Map<String, long[]> tensors = shape.tensors();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (Map.Entry<String, long[]> t : tensors.entrySet()) {
            long bytes = 4 * size(t.getValue());
            header.put(t.getKey(), Map.of("dtype", "F32", "shape", t.getValue(), "data_offsets", List.of(offset, offset + bytes)));
            offset += bytes;
        }
        byte[] text = new ObjectMapper().writeValueAsBytes(header);
        int padded = (text.length + 7) / 8 * 8; // the data starts 8-byte aligned; the header is padded with spaces
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(text);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeAll(out, head.flip());
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            SplittableRandom random = new SplittableRandom(seed);
            for (Map.Entry<String, long[]> t : tensors.entrySet()) {
                Init init = init(t.getKey(), shape);
                for (long i = size(t.getValue()); i > 0; i--) {
                    chunk.putFloat(init.next(random));
                    if (!chunk.hasRemaining()) {
                        writeAll(out, chunk.flip());
                        chunk.clear();
                    }
                }
            }
            writeAll(out, chunk.flip());
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private interface Init {
        float next(SplittableRandom random);
    }

    private static Init init(String name, Shape shape) {
        boolean norm = name.contains("ln_") || name.contains("layernorm") || name.contains("layer_norm")
                || name.equals("model.norm.weight");
        if (norm) {
            return name.endsWith("weight") ? r -> 1f : r -> 0f;
        }
        if (name.endsWith("bias")) {
            return r -> 0f;
        }
        double std = name.contains("wpe") ? 0.01
                : name.contains("c_proj") || name.contains("attention.dense") || name.contains("dense_4h_to_h")
                        || name.contains("o_proj") || name.contains("down_proj")
                ? 0.02 / Math.sqrt(2.0 * shape.layers()) : 0.02;
        return r -> (float) (std * r.nextGaussian());
    }

    private static void writeAll(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** GPT-2: Conv1D weights stored [in, out], learned positions, tied unembedding. */
    static Map<String, long[]> gpt2Tensors(Shape s) {
        Map<String, long[]> t = new LinkedHashMap<>();
        long d = s.dModel();
        t.put("wte.weight", new long[] {s.vocab(), d});
        t.put("wpe.weight", new long[] {s.positions(), d});
        for (int l = 0; l < s.layers(); l++) {
            String p = "h." + l + ".";
            norm(t, p + "ln_1", d);
            linear(t, p + "attn.c_attn", d, 3 * d, 3 * d);
            linear(t, p + "attn.c_proj", d, d, d);
            norm(t, p + "ln_2", d);
            linear(t, p + "mlp.c_fc", d, s.dMlp(), s.dMlp());
            linear(t, p + "mlp.c_proj", s.dMlp(), d, d);
        }
        norm(t, "ln_f", d);
        return t;
    }

    /** GPT-NeoX (Pythia): Linear weights stored [out, in], fused per-head q/k/v, untied unembedding. */
    static Map<String, long[]> neoxTensors(Shape s) {
        Map<String, long[]> t = new LinkedHashMap<>();
        long d = s.dModel();
        t.put("gpt_neox.embed_in.weight", new long[] {s.vocab(), d});
        for (int l = 0; l < s.layers(); l++) {
            String p = "gpt_neox.layers." + l + ".";
            norm(t, p + "input_layernorm", d);
            norm(t, p + "post_attention_layernorm", d);
            linear(t, p + "attention.query_key_value", 3 * d, d, 3 * d);
            linear(t, p + "attention.dense", d, d, d);
            linear(t, p + "mlp.dense_h_to_4h", s.dMlp(), d, s.dMlp());
            linear(t, p + "mlp.dense_4h_to_h", d, s.dMlp(), d);
        }
        norm(t, "gpt_neox.final_layer_norm", d);
        t.put("embed_out.weight", new long[] {s.vocab(), d});
        return t;
    }

    /** Llama: bias-free Linear weights [out, in], grouped key/value heads, gated MLP, RMSNorm weights only. */
    static Map<String, long[]> llamaTensors(Shape s) {
        Map<String, long[]> t = new LinkedHashMap<>();
        long d = s.dModel();
        long kv = d / s.heads() * s.kvHeads();
        t.put("model.embed_tokens.weight", new long[] {s.vocab(), d});
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            t.put(p + "input_layernorm.weight", new long[] {d});
            t.put(p + "self_attn.q_proj.weight", new long[] {d, d});
            t.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
            t.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
            t.put(p + "self_attn.o_proj.weight", new long[] {d, d});
            t.put(p + "post_attention_layernorm.weight", new long[] {d});
            t.put(p + "mlp.gate_proj.weight", new long[] {s.dMlp(), d});
            t.put(p + "mlp.up_proj.weight", new long[] {s.dMlp(), d});
            t.put(p + "mlp.down_proj.weight", new long[] {d, s.dMlp()});
        }
        t.put("model.norm.weight", new long[] {d});
        if (!s.tied()) {
            t.put("lm_head.weight", new long[] {s.vocab(), d});
        }
        return t;
    }

    /** A weight of shape [a, b] (the family decides which is in and out) and a bias of the output size. */
    private static void linear(Map<String, long[]> t, String module, long a, long b, long out) {
        t.put(module + ".weight", new long[] {a, b});
        t.put(module + ".bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> t, String module, long d) {
        t.put(module + ".weight", new long[] {d});
        t.put(module + ".bias", new long[] {d});
    }
}
