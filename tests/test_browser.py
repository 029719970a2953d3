"""The real thing: `streamlit run app.py` driven by Debian's Chromium through Selenium."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

from rag.citations import REFUSAL

try:  # tests/ as a package or as a plain directory on sys.path
    from tests.conftest_app import NO_OLLAMA, PESKOV_FINLAND_FILES, ROOT, build_index, seeded_corpus
except ImportError:
    from conftest_app import NO_OLLAMA, PESKOV_FINLAND_FILES, ROOT, build_index, seeded_corpus

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "tests" / "artifacts"
# answered by the model (or, when its answer fails the citation check, by the cited source sentences)
QUESTION = "Who handed Finland's signed NATO accession treaty to Antony Blinken?"
QUESTION_FILE = "000_98f58e9247f94cfe.txt"
# answered from the statements in the index, listed by article
SPEECH_QUESTION = "What did Peskov say about Finland?"
ANSWER_TIMEOUT = 480  # loads the embedding model and the embedded LLM; 2 busy cores are slow
# A short answer is enough to check the page and keeps the embedded LLM's part of the test lean.
ANSWER_TOKENS = "96"

_LLAMA_PROBE = """
from rag.config import Settings
from rag.generators import Prompt, create_generator
gen = create_generator("llamacpp", Settings.from_env())
prompt = Prompt(messages=({"role": "user", "content": "Name one Nordic country, in two words."},),
                question="?", max_tokens=4)
print("".join(gen.stream(prompt)))
"""


def answering_backend() -> str:
    """The embedded LLM when llama_cpp is installed (it must be in CI), else extractive answers."""
    in_ci = bool(os.environ.get("CI"))
    if importlib.util.find_spec("llama_cpp") is None:
        if in_ci:
            pytest.fail("llama_cpp is not installed: CI must run the browser test with the embedded LLM.")
        return "extractive"
    # A llama.cpp build that crashes would take the server down with it: check it in a child first.
    probe = subprocess.run([sys.executable, "-c", _LLAMA_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=180)
    if probe.returncode != 0:
        detail = f"exit code {probe.returncode}: {probe.stderr.strip()[-400:]}"
        if in_ci:
            pytest.fail(f"The embedded LLM is installed but cannot answer ({detail}).")
        warnings.warn(f"llama_cpp is installed but crashes here ({detail}); using the extractive backend.")
        return "extractive"
    return "llamacpp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with opener.open(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"streamlit did not become healthy in {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def server(tmp_path, monkeypatch):
    """The app on a free port, over a private indexed copy of the seeds; always terminated."""
    corpus = seeded_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    build_index(corpus, index)
    backend = answering_backend()
    port = free_port()
    env = dict(os.environ, RAG_CORPUS_DIR=str(corpus), RAG_INDEX_DIR=str(index), RAG_BACKEND=backend,
               RAG_MAX_ANSWER_TOKENS=ANSWER_TOKENS, OLLAMA_HOST=NO_OLLAMA, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    log = tmp_path / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "streamlit"), "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield {"url": url, "backend": backend, "log": log, "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture
def browser(tmp_path, monkeypatch):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Explicit binary and driver paths: Selenium Manager must never download anything.
    monkeypatch.setenv("SE_AVOID_BROWSER_DOWNLOAD", "true")
    monkeypatch.setenv("SE_OFFLINE", "true")
    assert Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), "apt-get install chromium chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--no-proxy-server",
                "--disable-dev-shm-usage", "--window-size=1280,1600", f"--user-data-dir={tmp_path / 'chrome'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log")))
    try:
        yield driver
    finally:
        driver.quit()


def test_ask_in_the_browser_and_open_a_citation(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server["url"])
    box = WebDriverWait(browser, 120).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]'))
    )
    # The sidebar says which backend answers and that the index is there.
    sidebar = browser.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"]').text
    assert "5 files" in sidebar.replace("\n", " ")
    box.send_keys(QUESTION)
    box.send_keys(Keys.ENTER)

    # The answer streams in; the app marks it done once the checked answer and its cards are drawn.
    try:
        done = WebDriverWait(browser, ANSWER_TIMEOUT).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, ".answer-done"))
        )
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "browser_failure.png"))
        raise AssertionError(f"no finished answer; server log:\n{server['log'].read_text()[-3000:]}")
    assert server["backend"] in done.text
    # The question is answerable from the seeds (Haavisto, in 000), so a refusal is a failure,
    # whichever backend answers: a model answer that fails the citation check is replaced by the
    # cited source sentences.
    refused = done.get_attribute("data-refused") == "true"
    assert not refused, "refused: " + " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".refusal"))
    markers = browser.find_elements(By.CSS_SELECTOR, ".answer sup.cite")  # inline [n] markers
    answer_text = browser.find_element(By.CSS_SELECTOR, ".answer").text
    assert markers and REFUSAL not in answer_text, "the answer cites nothing: " + answer_text

    # Every marker's number is the badge of the source card of the file it cites (the marker's
    # tooltip is that citation's file:lines).
    cards = {h.find_element(By.CSS_SELECTOR, ".badge").text.strip().strip("[]"): h
             for h in browser.find_elements(By.CSS_SELECTOR, ".src-head")}
    for marker in markers:
        number = marker.text.strip().strip("[]")
        assert number in cards, (number, sorted(cards))
        cited_file = marker.get_attribute("title").split(":")[0]
        assert cited_file == cards[number].get_attribute("data-file"), (number, marker.get_attribute("title"))

    # The card of marker [1]: which file, and its highlighted supporting sentence.
    head = cards["1"]
    file = head.get_attribute("data-file")
    assert file == QUESTION_FILE
    quote = head.find_element(By.XPATH, "./following-sibling::div[contains(@class,'passage')]//mark").text
    assert len(quote) > 20

    # Open the card's expander: the whole article, with the cited lines highlighted.
    summary = next(s for s in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stExpander"] summary')
                   if s.text.strip().endswith(file))
    # Centre it: the fixed chat input at the bottom of the page would otherwise take the click.
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", summary)
    WebDriverWait(browser, 10).until(EC.element_to_be_clickable(summary)).click()
    article = WebDriverWait(browser, 30).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, f'.article[data-file="{file}"]'))
    )
    # Wait for the expander to finish opening; then the highlighted lines are shown.
    highlighted = WebDriverWait(browser, 30).until(
        lambda _: [el for el in article.find_elements(By.CSS_SELECTOR, ".ln.hl") if el.is_displayed()]
    )
    lines = {int(el.find_element(By.CSS_SELECTOR, ".no").text): el.find_element(By.CSS_SELECTOR, ".tx").text
             for el in highlighted}
    # The highlighted lines are the lines of that file the supporting sentence comes from.
    source = (ROOT / "seeds" / file).read_text(encoding="utf-8").split("\n")
    assert all(source[n - 1].strip() == text.replace("\xa0", " ").strip() for n, text in lines.items())
    assert " ".join(quote.split()) in " ".join(" ".join(lines.values()).split())
    # No traceback anywhere on the page.
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # The picture: the question, the answer and the opened first card.
    user_turn = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'});", user_turn)
    browser.save_screenshot(str(ARTIFACTS / "browser_answer.png"))  # for people; not a check

    # What Peskov said about Finland: his statements from the three articles, listed by article,
    # each marker the number of the card of its article.
    box = browser.find_element(By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]')
    box.send_keys(SPEECH_QUESTION)
    box.send_keys(Keys.ENTER)
    try:
        WebDriverWait(browser, ANSWER_TIMEOUT).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".answer-done")) == 2)
    except Exception:
        browser.save_screenshot(str(ARTIFACTS / "browser_failure.png"))
        raise AssertionError(f"no finished statements answer; server log:\n{server['log'].read_text()[-3000:]}")
    def last_turn_done(b):
        # Streamlit may re-render the turn once more after the answer is done: wait for the last
        # chat message to hold its finished answer
        turns = b.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')
        return turns and turns[-1].find_elements(By.CSS_SELECTOR, ".answer-done") and turns[-1]

    turn = WebDriverWait(browser, ANSWER_TIMEOUT).until(last_turn_done)
    assert turn.find_element(By.CSS_SELECTOR, ".answer-done").get_attribute("data-refused") == "false"
    listing = turn.find_element(By.CSS_SELECTOR, ".answer.statements")
    count = listing.find_element(By.CSS_SELECTOR, ".stmt-count").text
    assert count.startswith("Found ") and "by Dmitry Peskov" in count and "in 3 articles" in count, count
    groups = listing.find_elements(By.CSS_SELECTOR, ".stmt-group")
    assert sorted(g.get_attribute("data-file") for g in groups) == sorted(PESKOV_FINLAND_FILES)
    cards = {}
    for head in turn.find_elements(By.CSS_SELECTOR, ".src-head"):
        number = head.find_element(By.CSS_SELECTOR, ".badge").text.strip().strip("[]")
        assert number not in cards, f"two cards badged [{number}]"
        cards[number] = head.get_attribute("data-file")
    assert sorted(cards.values()) == sorted(PESKOV_FINLAND_FILES), cards
    listed = 0
    for group in groups:
        file = group.get_attribute("data-file")
        assert group.find_element(By.CSS_SELECTOR, ".stmt-head").text.strip(), file  # date, publisher, title
        for item in group.find_elements(By.CSS_SELECTOR, "li.stmt"):
            assert item.text.startswith("Peskov"), item.text  # each statement with its speaker
            marks = item.find_elements(By.CSS_SELECTOR, "sup.cite")
            assert len(marks) == 1, item.text
            number = marks[0].text.strip().strip("[]")
            assert cards.get(number) == file, (number, file, cards)
            assert marks[0].get_attribute("title").split(":")[0] == file
            listed += 1
    assert listed == int(count.split()[1]), (listed, count)
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'});", turn)
    browser.save_screenshot(str(ARTIFACTS / "browser_statements.png"))  # for people; not a check
