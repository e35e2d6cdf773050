#!/usr/bin/env python3
"""The worker's and the employer's pages in a real browser (Debian's headless chromium, driven
over the DevTools protocol): sign in with a one-time link, open the record, download a baked
badge, open the printable certificate and read its QR code with zbarimg, verify the badge by
upload, verify a tampered one, sign out. Each page is checked for labelled forms, an announced
verdict, keyboard reach and AA contrast. Screenshots go to --artifacts (default
.build/browser-artifacts).

    python3 Tools/browser/worker-pages.py [--skillbank .build/debug/skillbank] [--chromium chromium]
"""
import argparse
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--skillbank", default=".build/debug/skillbank")
parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "chromium")
parser.add_argument("--artifacts", default=".build/browser-artifacts")
args = parser.parse_args()
skillbank = os.path.abspath(args.skillbank)
os.makedirs(args.artifacts, exist_ok=True)
artifacts = os.path.abspath(args.artifacts)
work = tempfile.mkdtemp(prefix="skillbank-browser-")
downloads = os.path.join(work, "downloads")
os.makedirs(downloads)
env = dict(os.environ, SKILLBANK_DB=os.path.join(work, "skillbank.sqlite"))
env.pop("SKILLBANK_STORE_URL", None)
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)


def cli(*arguments):
    result = subprocess.run([skillbank, *arguments], cwd=work, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"skillbank {' '.join(arguments)} failed: {result.stderr}")
    return result.stdout.strip()


def uscc(first17):
    # GB 32100 check character.
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(c) * w for c, w in zip(first17, weights))
    return first17 + alphabet[(31 - total % 31) % 31]


port_socket = socket.socket()
port_socket.bind(("127.0.0.1", 0))
port = port_socket.getsockname()[1]
port_socket.close()
base = f"http://127.0.0.1:{port}"

# A bank with one worker and one certificate, then the server on it.
cli("init", "--base-url", base)
evaluator = cli("institution", "register", "--name", "广东省电工职业技能评价中心", "--kind", "social", "--code", uscc("51440000MJ0000001"),
                "--province", "44").splitlines()[-1]
cli("institution", "accredit", evaluator, "--occupation", "6-31-01-03", "--levels", "5,4,3", "--from", "2020-01-01")
person = cli("person", "register", "--name", "李明", "--id-type", "resident", "--id-number", "440305199003071236").splitlines()[-1]
assessment = cli("assessment", "schedule", "--institution", evaluator, "--occupation", "6-31-01-03", "--level", "4").splitlines()[-1]
cli("assessment", "enrol", assessment, "--person", person, "--override", "browser test")
certificate = json.loads(cli("assessment", "result", assessment, "--person", person, "--theory", "80", "--practical", "85", "--json"))
number = certificate["certificates"][0]["number"]
shown = json.loads(cli("cert", "show", number, "--json"))
issued = datetime.datetime.fromisoformat(shown["issued_at"].replace("Z", "+00:00")).astimezone(datetime.timezone(datetime.timedelta(hours=8)))
local_day = f"{issued.year}年{issued.month}月{issued.day}日"

server = subprocess.Popen([skillbank, "serve", "--port", str(port)], cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(150):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1)
        break
    except Exception:
        time.sleep(0.1)
link = json.loads(cli("person", "link", person, "--json"))["url"]

A11Y = r"""(() => {
  const problems = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), textarea, select')) {
    const label = el.id && document.querySelector('label[for="' + el.id + '"]');
    if (!label && !el.getAttribute('aria-label')) problems.push('unlabelled ' + el.tagName + ' ' + (el.name || el.id));
  }
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), textarea, select')) {
    if (el.tabIndex < 0) problems.push('not reachable by keyboard: ' + el.outerHTML.slice(0, 60));
    if (!(el.innerText || el.value || el.getAttribute('aria-label') || el.id)) problems.push('no accessible name: ' + el.outerHTML.slice(0, 60));
  }
  const lum = c => { const v = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map(x => x / 255).map(x => x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4)); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const background = el => { for (let e = el; e; e = e.parentElement) { const b = getComputedStyle(e).backgroundColor; if (b && !b.startsWith('rgba(0, 0, 0, 0)') && b !== 'transparent') return b; } return 'rgb(255, 255, 255)'; };
  let worst = 21;
  for (const el of document.querySelectorAll('p, th, td, li, button, a, label, legend, h1, h2, span')) {
    if (!el.innerText || !el.innerText.trim()) continue;
    const a = lum(getComputedStyle(el).color), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    worst = Math.min(worst, ratio);
    if (ratio < 4.5) problems.push('contrast ' + ratio.toFixed(2) + ' for ' + el.tagName + ': ' + el.innerText.slice(0, 30));
  }
  return {problems, worst};
})()"""


def accessible(browser, page):
    result = browser.evaluate(A11Y)
    check(not result["problems"], f"{page}: every form labelled, reachable by keyboard, contrast AA (lowest {result['worst']:.1f}:1) {result['problems'][:3]}")


browser = Browser(args.chromium, downloads=downloads)
try:
    # Sign in: the link shows a button; pressing it opens the record.
    browser.navigate(link)
    check(browser.evaluate("location.pathname") == "/me/signin" and browser.evaluate("!!document.querySelector('form button')"),
          "the sign-in link shows a button and signs nobody in by itself")
    browser.screenshot(os.path.join(artifacts, "1-signin.png"))
    browser.click_and_wait("form button")
    text = browser.evaluate("document.body.innerText")
    check(browser.evaluate("location.pathname") == "/me" and number in text, "signed in, the record lists the certificate")
    check(local_day in text, f"the record shows the issue date in the registry's time zone ({local_day})")
    check("李明" not in text and "440305" not in text, "the record page shows no name or ID number in clear")
    check(browser.evaluate("document.cookie") == "", "the session cookie is HTTP-only (no script reads it)")
    browser.screenshot(os.path.join(artifacts, "2-record.png"))
    accessible(browser, "/me")

    # One certificate: download its baked badge.
    browser.click_and_wait(f'a[href^="/me/certificates/"]')
    accessible(browser, "/me/certificates/{id}")
    browser.evaluate("document.querySelector('a[href$=\"format=svg\"]').click()")
    badge = os.path.join(downloads, f"{number}.svg")
    for _ in range(100):
        if os.path.exists(badge) and os.path.getsize(badge) > 0:
            break
        time.sleep(0.1)
    check(os.path.exists(badge) and b"openbadges:credential" in open(badge, "rb").read(), "the baked badge (SVG) downloads")

    # The printable view, and its QR code read back from the screen by zbarimg.
    certificate_path = browser.evaluate("location.pathname")
    browser.navigate(base + certificate_path + "/print")
    shot = os.path.join(artifacts, "3-print.png")
    browser.screenshot(shot)
    decoded = subprocess.run(["zbarimg", "--raw", "-q", shot], capture_output=True, text=True).stdout.strip()
    check(decoded == f"{base}/verify?number={number}", f"the printed QR code opens the verification page ({decoded})")

    # The employer: the QR code's page, the badge uploaded, then a tampered one.
    browser.navigate(decoded or base + "/verify")
    check(browser.evaluate("document.getElementById('number').value") == number, "the QR code's page has the number filled in")
    accessible(browser, "/verify")
    browser.upload("#file", badge)
    browser.click_and_wait("form[enctype] button")
    verdict = browser.evaluate("(() => { const v = document.querySelector('.verdict'); return v ? [v.getAttribute('role'), v.innerText] : null })()")
    check(verdict is not None and verdict[0] in ("status", "alert") and "VALID" in verdict[1] and "NOT" not in verdict[1],
          f"the uploaded badge verifies, announced to screen readers ({verdict})")
    check(local_day in browser.evaluate("document.body.innerText"), "the verdict shows dates in the registry's time zone")
    browser.screenshot(os.path.join(artifacts, "4-verify-valid.png"))
    tampered = os.path.join(work, "tampered.svg")
    with open(badge, encoding="utf-8") as f:
        content = f.read()
    with open(tampered, "w", encoding="utf-8") as f:
        f.write(content.replace("四级/中级工", "一级/高级技师", 1))
    browser.navigate(base + "/verify")
    browser.upload("#file", tampered)
    browser.click_and_wait("form[enctype] button")
    text = browser.evaluate("document.body.innerText")
    check("NOT VALID" in text and "有效 active" not in text and "not trusted" in text,
          "a tampered badge fails, never shows active, and says what could not be trusted")
    browser.screenshot(os.path.join(artifacts, "5-verify-tampered.png"))

    # Sign out: the session ends.
    browser.navigate(base + "/me")
    browser.click_and_wait('form[action="/me/signout"] button')
    check("已退出" in browser.evaluate("document.body.innerText"), "signing out says so")
    browser.navigate(base + "/me")
    check("请使用登录链接" in browser.evaluate("document.body.innerText"), "after signing out, the record asks for a sign-in link")
    # The used link does not work again.
    browser.navigate(link)
    browser.click_and_wait("form button")
    check("已使用或已过期" in browser.evaluate("document.body.innerText"), "the used sign-in link is refused")
    browser.screenshot(os.path.join(artifacts, "6-link-used.png"))
finally:
    browser.close()
    server.terminate()
    server.wait(10)
    shutil.rmtree(work, ignore_errors=True)

print(f"{len(failures)} failure(s); screenshots in {artifacts}")
sys.exit(1 if failures else 0)
