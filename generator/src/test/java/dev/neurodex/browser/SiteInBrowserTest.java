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
    static Path shots = Path.of("target", "screenshots");

    @BeforeAll
    static void buildAndStart() throws IOException {
        Path corpus = TestCorpus.write(dir.resolve("hostile.jsonl"), "<i>src</i>", TEXTS);
        site = dir.resolve("site");
        assertEquals(0, Main.execute("build", "--corpus", corpus.toString(), "--out", site.toString(), "--quiet",
                "--top-k", "5", "--context", "32"));
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
                    assertTrue(url.startsWith(prefix) || url.startsWith("data:") || url.startsWith("about:"),
                            "request outside the site: " + url);
                } catch (IOException ex) {
                    throw new AssertionError(ex);
                }
            }
        }
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

    @Test
    void hoverShowsTheTokenAndItsValue() throws IOException {
        open("all-minilm-l6-v2/2/100.html");
        WebElement max = driver.findElement(By.cssSelector("#ex-1 .text span.m"));
        new Actions(driver).moveToElement(max).perform();
        WebElement tip = driver.findElement(By.cssSelector(".tooltip"));
        assertTrue(tip.getText().startsWith(JSON.writeValueAsString(max.getAttribute("textContent"))), tip.getText());
        String value = driver.findElement(By.cssSelector("#ex-1 .value")).getText();
        assertTrue(tip.getText().endsWith("  " + value), "the max token holds the example's value: " + tip.getText());

        Files.write(shots.resolve("neuron-light.png"), driver.getScreenshotAs(OutputType.BYTES));
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        String background = (String) driver.executeScript("return getComputedStyle(document.body).backgroundColor");
        assertEquals("rgb(22, 22, 22)", background, "dark mode follows the system setting");
        Files.write(shots.resolve("neuron-dark.png"), driver.getScreenshotAs(OutputType.BYTES));
        driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    }

    @Test
    void expandShowsTheWholeWindowAndEveryTokenItsValue() throws IOException {
        // A neuron whose first example is cut after its max token, so there is hidden text to reveal.
        JsonNode example = null;
        int neuron = -1;
        for (int n = 0; n < 1536 && example == null; n++) {
            JsonNode top = JSON.readTree(site.resolve("all-minilm-l6-v2/2/" + n + ".json").toFile()).at("/top/0");
            if (top.get("maxIndex").asInt() + 11 < top.get("tokens").size()) {
                example = top;
                neuron = n;
            }
        }
        assertNotNull(example, "the fixture has an example with text after its near part");
        open("all-minilm-l6-v2/2/" + neuron + ".html");
        WebElement far = driver.findElement(By.cssSelector("#ex-1 .text .far"));
        assertFalse(far.isDisplayed());
        driver.findElement(By.cssSelector("#ex-1 label")).click();
        assertTrue(far.isDisplayed(), "the whole window shows after the click");
        // The whole window, markers aside, is the record's tokens: nothing lost or replaced around the near part.
        String shown = (String) driver.executeScript("const t = document.querySelector('#ex-1 .text').cloneNode(true);"
                + "t.querySelectorAll('.more').forEach(m => m.remove()); return t.textContent;");
        StringBuilder tokens = new StringBuilder();
        example.get("tokens").forEach(t -> tokens.append(t.asText()));
        assertEquals(tokens.toString(), shown);
        // Hover the last token, past the near part: its value is the record's, to the four digits shown.
        List<WebElement> spans = driver.findElements(By.cssSelector("#ex-1 .text span:not(.far):not(.more)"));
        assertEquals(example.get("tokens").size(), spans.size());
        new Actions(driver).moveToElement(spans.get(spans.size() - 1)).perform();
        String tip = driver.findElement(By.cssSelector(".tooltip")).getText();
        double expected = example.get("values").get(spans.size() - 1).asDouble();
        double got = Double.parseDouble(tip.substring(tip.lastIndexOf(' ') + 1));
        assertEquals(expected, got, Math.abs(expected) * 1e-3 + 1e-9, tip);
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
        assertTrue(href.matches(".*/all-minilm-l6-v2/\\d/\\d+\\.html#ex-\\d+"), href);
        results.get(0).click();
        waitFor(() -> page().contains("#ex-"));
        String anchor = page().substring(page().indexOf('#') + 1);
        WebElement example = driver.findElement(By.id(anchor));
        assertTrue(example.getText().toLowerCase().contains("whale"), example.getText());
    }

    @Test
    void embedPageAndHostileTextShowAsText() {
        open("all-minilm-l6-v2/1/7.embed.html");
        assertTrue(driver.findElements(By.cssSelector("nav, header")).isEmpty(), "no chrome on the embed page");
        assertFalse(driver.findElements(By.cssSelector("li.example")).isEmpty());
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
                    for (WebElement label : driver.findElements(By.cssSelector(".example label"))) {
                        label.click();
                    }
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
