package dev.neurodex.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.cli.Main;
import dev.neurodex.cli.TestCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The built site used as a person would, in Debian's headless Chromium from file://: hover, expand, keys,
 * random, sorting and filtering, search, embed; no console errors, no request leaving the site folder, and a
 * hostile corpus whose markup never runs.
 */
class SiteInBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String[] TEXTS = {
        "The whale </span><script>window.pwned = 1; alert('pwned')</script> surfaced & dove; \"quotes\".",
        "<img src=x onerror=\"window.pwned = 2\"> Call me Ishmael. Some years ago the whale swam.",
        "<a href=\"javascript:window.pwned=3\">click</a> Tom & Jerry <b onmouseover=\"window.pwned=4\">bold</b> whale",
        "Moby Dick, the white whale, and the sea. " .repeat(10),
    };

    @TempDir
    static Path dir;
    static Path site;
    static ChromeDriver driver;
    private static final dev.neurodex.tokenize.WindowTokenizer TOKENIZER = dev.neurodex.tokenize.WindowTokenizer.load(
            SiteInBrowserTest.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json"));
    static Path shots = Path.of("target", "screenshots");
    /** While a test serves the site over HTTP, requests to it are the site's too. */
    static String served;

    @BeforeAll
    static void buildAndStart() throws IOException {
        Path corpus = TestCorpus.write(dir.resolve("hostile.jsonl"), "<i>src</i>", TEXTS);
        site = dir.resolve("site");
        Path sae = dir.resolve("res-sae");
        dev.neurodex.sae.RandomSae.write(sae, "blocks.2.hook_resid_post", 384, 256, "topk", 8, 3);
        assertEquals(0, Main.execute("build", "--corpus", corpus.toString(), "--out", site.toString(), "--quiet",
                "--top-k", "5", "--context", "64", "--sae", sae.toString()));
        Files.createDirectories(shots);

        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + dir.resolve("chrome-profile"), "--window-size=1100,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(service, options);
        driver.get("about:blank");
        driver.manage().logs().get(LogType.PERFORMANCE); // drop what the browser itself fetched at start
        driver.manage().logs().get(LogType.BROWSER);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
    }

    /** After every test: nothing ran from the corpus, nothing logged an error, nothing left the site folder. */
    @AfterEach
    void noErrorsNoScriptsNoNetwork() {
        assertNull(driver.executeScript("return window.pwned === undefined ? null : window.pwned"), "corpus markup ran");
        List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(e.getMessage());
            }
        }
        assertEquals(List.of(), errors, "console errors");
        String prefix = site.toUri().toString();
        for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE)) {
            String m = e.getMessage();
            if (m.contains("\"Network.requestWillBeSent\"")) {
                try {
                    String url = JSON.readTree(m).at("/message/params/request/url").asText();
                    assertTrue(url.startsWith(prefix) || url.startsWith("data:") || url.startsWith("about:")
                                    || (served != null && url.startsWith(served)),
                            "request outside the site: " + url);
                } catch (IOException ex) {
                    throw new AssertionError(ex);
                }
            }
        }
        served = null;
    }

    private static void open(String path) {
        driver.get(site.toUri() + path); // not Path.resolve: a query string must stay a query string
    }

    private static String page() {
        String url = driver.getCurrentUrl();
        return url.substring(site.toUri().toString().length());
    }

    private static void waitFor(java.util.function.Supplier<Boolean> condition) {
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> condition.get());
    }

    /** The token spans of an example once the page's script has split it (on the first pointer over an example). */
    private static List<WebElement> tokens(String example) {
        new Actions(driver).moveToElement(driver.findElement(By.cssSelector(example + " .text"))).perform();
        waitFor(() -> !driver.findElements(By.cssSelector(example + " .text span[data-p]")).isEmpty());
        return driver.findElements(By.cssSelector(example + " .text span[data-p]"));
    }

    private static String hover(WebElement token) {
        new Actions(driver).moveToElement(token).perform();
        waitFor(() -> !driver.findElement(By.cssSelector(".tooltip")).getText().isEmpty());
        return driver.findElement(By.cssSelector(".tooltip")).getText();
    }

    @Test
    void hoverShowsTheTokenAndItsValue() throws IOException {
        open("all-minilm-l6-v2/2/100.html");
        JsonNode record = JSON.readTree(site.resolve("all-minilm-l6-v2/2/100.json").toFile());
        JsonNode example = record.at("/top/0");
        List<WebElement> spans = tokens("#ex-1");
        assertEquals(example.get("ids").size(), spans.size(), "one span per token the record holds");
        WebElement max = driver.findElement(By.cssSelector("#ex-1 .text span.m"));
        String tip = hover(max);
        assertTrue(tip.startsWith(JSON.writeValueAsString(max.getAttribute("textContent"))), tip);
        String value = driver.findElement(By.cssSelector("#ex-1 .meta strong")).getText();
        assertTrue(tip.endsWith("  " + value), "the max token holds the example's exact value: " + tip);
        // Any other token: its value from the values file, to the record's precision (thousandths of the scale).
        double scale = record.get("valueScale").asDouble();
        int other = example.get("maxIndex").asInt() == 0 ? 1 : 0;
        tip = hover(spans.get(other));
        double expected = example.get("values").get(other).asDouble() * scale / 1000;
        double got = Double.parseDouble(tip.substring(tip.lastIndexOf(' ') + 1));
        assertEquals(expected, got, scale * 1e-3, tip);

        Files.write(shots.resolve("neuron-light.png"), driver.getScreenshotAs(OutputType.BYTES));
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        String background = (String) driver.executeScript("return getComputedStyle(document.body).backgroundColor");
        assertEquals("rgb(22, 22, 22)", background, "dark mode follows the system setting");
        Files.write(shots.resolve("neuron-dark.png"), driver.getScreenshotAs(OutputType.BYTES));
        driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    }

    @Test
    void wholeWindowShowsEveryTokenOfTheWindowWithItsValue() throws IOException {
        // A neuron whose first example shows only part of its window: text before its max is cut.
        JsonNode example = null;
        int neuron = -1;
        for (int n = 0; n < 1536 && example == null; n++) {
            JsonNode top = JSON.readTree(site.resolve("all-minilm-l6-v2/2/" + n + ".json").toFile()).at("/top/0");
            if (top.get("start").asInt() > 0) {
                example = top;
                neuron = n;
            }
        }
        assertNotNull(example, "the fixture has an example with text before its near part");
        open("all-minilm-l6-v2/2/" + neuron + ".html");
        String context = driver.findElement(By.cssSelector("#ex-1 .text")).getAttribute("textContent");
        driver.findElement(By.cssSelector("#ex-1 button.whole")).click();
        waitFor(() -> "1".equals(driver.findElement(By.id("ex-1")).getAttribute("data-whole")));
        List<WebElement> spans = driver.findElements(By.cssSelector("#ex-1 .text span[data-p]"));
        long[] ids = TOKENIZER.ids(TEXTS[example.at("/doc/line").asInt() - 1]);
        int first = example.get("window").asInt() * 62;
        assertEquals(Math.min(ids.length, first + 62) - first, spans.size(), "every token of the window");
        int start = example.get("start").asInt();
        StringBuilder shown = new StringBuilder();
        for (int p = start; p < start + example.get("ids").size(); p++) {
            shown.append(spans.get(p).getAttribute("textContent"));
        }
        assertEquals(context, shown.toString(), "the near part sits at its window positions");
        assertTrue(spans.get(start + example.get("maxIndex").asInt()).getAttribute("class").contains("m"));
        String tip = hover(spans.get(start)); // the first token the record holds, a value the record has too
        double scale = JSON.readTree(site.resolve("all-minilm-l6-v2/2/" + neuron + ".json").toFile()).get("valueScale").asDouble();
        double expected = example.get("values").get(0).asDouble() * scale / 1000;
        assertEquals(expected, Double.parseDouble(tip.substring(tip.lastIndexOf(' ') + 1)), scale * 1e-3, tip);
        int near = example.get("ids").size();
        driver.findElement(By.cssSelector("#ex-1 button.whole")).click();
        waitFor(() -> driver.findElements(By.cssSelector("#ex-1 .text span[data-p]")).size() == near);
    }

    /** An SAE section: pages one folder deeper, dead latents skipped by every link, whole windows from its own store. */
    @Test
    void saeLatentPagesNavigateSkippingDeadLatentsAndLoadWholeWindows() throws IOException {
        open("all-minilm-l6-v2/index.html");
        driver.findElement(By.cssSelector("table.saes a")).click();
        waitFor(() -> page().equals("all-minilm-l6-v2/res-sae/index.html"));
        driver.findElement(By.cssSelector("table.layers a")).click();
        waitFor(() -> page().equals("all-minilm-l6-v2/res-sae/2/index.html"));
        List<WebElement> rows = driver.findElements(By.cssSelector("table.neurons tbody a"));
        assertFalse(rows.isEmpty());
        rows.get(0).click();
        waitFor(() -> page().matches("all-minilm-l6-v2/res-sae/2/\\d+\\.html"));
        assertTrue(driver.findElement(By.tagName("h1")).getText().contains("latent"));
        for (int step = 0; step < 5; step++) {
            String before = page();
            driver.findElement(By.tagName("body")).sendKeys(step % 2 == 0 ? "j" : "r");
            waitFor(() -> !page().equals(before));
            int latent = Integer.parseInt(page().replaceAll(".*/(\\d+)\\.html", "$1"));
            assertTrue(Files.exists(site.resolve("all-minilm-l6-v2/res-sae/2/" + latent + ".json")), page() + " exists");
            assertEquals(1, driver.findElements(By.cssSelector("header.neuron")).size(), page());
        }
        int latent = -1;
        for (int n = 0; n < 256 && latent < 0; n++) {
            Path record = site.resolve("all-minilm-l6-v2/res-sae/2/" + n + ".json");
            if (Files.exists(record) && JSON.readTree(record.toFile()).at("/top/0/start").asInt() > 0) {
                latent = n;
            }
        }
        assertTrue(latent >= 0, "a latent whose first example shows part of its window");
        open("all-minilm-l6-v2/res-sae/2/" + latent + ".html");
        JsonNode top = JSON.readTree(site.resolve("all-minilm-l6-v2/res-sae/2/" + latent + ".json").toFile()).at("/top/0");
        int near = top.get("start").asInt() + top.get("ids").size(); // the window holds at least this many tokens
        driver.findElement(By.cssSelector("#ex-1 button.whole")).click();
        waitFor(() -> "1".equals(driver.findElement(By.id("ex-1")).getAttribute("data-whole")));
        assertTrue(driver.findElements(By.cssSelector("#ex-1 .text span[data-p]")).size() >= near, "the whole window");
    }

    @Test
    void keyboardShortcutsAndRandomNavigate() {
        open("all-minilm-l6-v2/2/100.html");
        driver.findElement(By.tagName("body")).sendKeys("j");
        waitFor(() -> page().equals("all-minilm-l6-v2/2/101.html"));
        driver.findElement(By.tagName("body")).sendKeys("k");
        waitFor(() -> page().equals("all-minilm-l6-v2/2/100.html"));
        driver.findElement(By.tagName("body")).sendKeys("l");
        waitFor(() -> page().equals("all-minilm-l6-v2/3/100.html"));
        driver.findElement(By.tagName("body")).sendKeys("h");
        waitFor(() -> page().equals("all-minilm-l6-v2/2/100.html"));
        driver.findElement(By.tagName("body")).sendKeys("r");
        waitFor(() -> page().matches("all-minilm-l6-v2/[0-5]/\\d+\\.html") && !page().endsWith("2/100.html"));
        driver.findElement(By.id("random-layer")).click();
        waitFor(() -> page().matches("all-minilm-l6-v2/\\d/\\d+\\.html"));
        String layer = page().split("/")[1];
        driver.findElement(By.id("random-layer")).click();
        waitFor(() -> page().matches("all-minilm-l6-v2/" + layer + "/\\d+\\.html"));
        driver.findElement(By.id("random-site")).click();
        waitFor(() -> page().matches("all-minilm-l6-v2/\\d/\\d+\\.html"));
        driver.findElement(By.tagName("body")).sendKeys("/");
        assertEquals("q", driver.switchTo().activeElement().getAttribute("name"), "/ focuses the search box");
    }

    @Test
    void neighbourLinksOpenTheirNeuronsPages() {
        open("all-minilm-l6-v2/2/100.html");
        List<WebElement> links = driver.findElements(By.cssSelector(".neighbours a"));
        assertEquals(30, links.size(), "10 alike, 10 upstream, 10 downstream");
        String name = links.get(10).getText(); // the strongest upstream neuron, of an earlier layer
        assertTrue(name.matches("L[01]N\\d+"), name);
        links.get(10).click();
        waitFor(() -> page().equals("all-minilm-l6-v2/" + name.substring(1, 2) + "/" + name.substring(3) + ".html"));
        String h1 = driver.findElement(By.tagName("h1")).getText();
        assertTrue(h1.contains("layer " + name.substring(1, 2) + " · neuron " + name.substring(3)), h1);
    }

    /** Served by neurodex serve, a neuron page runs typed text; a clicked token lists neurons that link on. */
    @Test
    void servedPagesTestTypedTextAndLinkTheStrongestNeurons() throws Exception {
        try (var manager = dev.neurodex.model.OfflineEngine.newManager(2);
             var models = new dev.neurodex.serve.ServedModels(site, List.of(), manager, 0, 1);
             var server = dev.neurodex.serve.SiteServer.start(site, "127.0.0.1", 0, models)) {
            served = "http://127.0.0.1:" + server.port() + "/";
            driver.get(served + "all-minilm-l6-v2/2/100.html");
            waitFor(() -> driver.findElement(By.cssSelector("section.try")).isDisplayed());
            driver.findElement(By.cssSelector("section.try textarea")).sendKeys("Call me Ishmael. The whale & the sea.");
            driver.findElement(By.cssSelector("section.try button")).click();
            waitFor(() -> driver.findElements(By.cssSelector("section.try .out span")).size() > 5);
            List<WebElement> tokens = driver.findElements(By.cssSelector("section.try .out span"));
            String joined = driver.findElement(By.cssSelector("section.try .out")).getText();
            assertTrue(joined.replace(" ", "").equalsIgnoreCase("callmeishmael.thewhale&thesea."), joined);
            String title = tokens.get(1).getAttribute("title");
            assertTrue(title.matches("\".*\"  -?\\d+\\.\\d{4}"), title);
            tokens.get(4).click();
            waitFor(() -> driver.findElements(By.cssSelector("section.try .at a")).size() == 10);
            WebElement first = driver.findElement(By.cssSelector("section.try .at a"));
            String name = first.getText();
            first.click();
            waitFor(() -> driver.getCurrentUrl().endsWith("/" + name.substring(1, name.indexOf('N')) + "/"
                    + name.substring(name.indexOf('N') + 1) + ".html"));
        }
        // From a file, the box stays hidden and nothing is asked of any server.
        open("all-minilm-l6-v2/2/100.html");
        assertTrue(!driver.findElement(By.cssSelector("section.try")).isDisplayed());
    }

    @Test
    void layerTableSortsAndFilters() {
        open("all-minilm-l6-v2/4/index.html");
        driver.findElement(By.cssSelector("th:nth-child(2) button")).click(); // max, descending
        List<WebElement> cells = driver.findElements(By.cssSelector("table.neurons tbody tr td:nth-child(2)"));
        assertEquals(1536, cells.size());
        double previous = Double.POSITIVE_INFINITY;
        for (WebElement cell : cells.subList(0, 50)) {
            double v = Double.parseDouble(cell.getAttribute("data-v"));
            assertTrue(v <= previous, "sorted by max descending");
            previous = v;
        }
        WebElement filter = driver.findElement(By.cssSelector("input.filter"));
        filter.sendKeys("whale");
        long shown = driver.findElements(By.cssSelector("table.neurons tbody tr")).stream().filter(WebElement::isDisplayed).count();
        assertTrue(shown > 0 && shown < 1536, "filtered to the rows mentioning whale: " + shown);
    }

    @Test
    void searchFindsNeuronsAndOpensTheExample() {
        open("search.html");
        driver.findElement(By.id("q")).sendKeys("whale\n");
        waitFor(() -> driver.findElement(By.id("status")).getText().contains("neurons for"));
        List<WebElement> results = driver.findElements(By.cssSelector("#results li a"));
        assertFalse(results.isEmpty(), driver.findElement(By.id("status")).getText());
        String ms = driver.findElement(By.id("status")).getAttribute("data-ms");
        System.out.println("search took " + ms + " ms in the browser");
        String href = results.get(0).getAttribute("href");
        assertTrue(href.matches(".*/all-minilm-l6-v2/(res-sae/)?\\d/\\d+\\.html#ex-\\d+"), href);
        results.get(0).click();
        waitFor(() -> page().contains("#ex-"));
        String anchor = page().substring(page().indexOf('#') + 1);
        WebElement example = driver.findElement(By.id(anchor));
        assertTrue(example.getText().toLowerCase().contains("whale"), example.getText());
    }

    @Test
    void embedModeAndHostileTextShowAsText() {
        open("all-minilm-l6-v2/1/7.html#embed");
        for (String chrome : List.of("nav.crumbs", "header.neuron", "footer", ".rest")) {
            assertFalse(driver.findElement(By.cssSelector(chrome)).isDisplayed(), chrome + " hidden in the embed view");
        }
        assertTrue(driver.findElement(By.cssSelector(".embed-head")).isDisplayed());
        assertTrue(driver.findElement(By.cssSelector("ol.top > li")).isDisplayed());
        // A page whose top examples hold the <img onerror> document: its markup is on the page as text.
        for (int layer = 0; layer < 6; layer++) {
            for (int n = 0; n < 1536; n++) {
                String record;
                try {
                    record = Files.readString(site.resolve("all-minilm-l6-v2/" + layer + "/" + n + ".json"));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                if (record.contains("\"line\":2}")) {
                    open("all-minilm-l6-v2/" + layer + "/" + n + ".html");
                    List<WebElement> buttons = driver.findElements(By.cssSelector(".meta button.whole"));
                    buttons.forEach(WebElement::click);
                    waitFor(() -> driver.findElements(By.cssSelector("ol.examples > li[data-whole='1']")).size() == buttons.size());
                    String body = driver.findElement(By.tagName("body")).getText();
                    assertTrue(body.contains("<img src=x onerror=\"window.pwned = 2\">"), body);
                    assertTrue(driver.findElements(By.cssSelector(".text img, .text script, .text a, .text b")).isEmpty());
                    return;
                }
            }
        }
        throw new AssertionError("no page shows the hostile document");
    }

    @Test
    void phoneWidthHasNoHorizontalScroll() {
        driver.manage().window().setSize(new Dimension(390, 844));
        try {
            open("all-minilm-l6-v2/0/5.html");
            Long overflow = (Long) driver.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertTrue(overflow <= 0, "page wider than a phone by " + overflow + "px");
        } finally {
            driver.manage().window().setSize(new Dimension(1100, 900));
        }
    }
}
