//! A WebDriver client just large enough to lay a report out in Chromium at a chosen width,
//! colour scheme and medium, and to ask the page questions in JavaScript.
//!
//! Why chromedriver over HTTP: `--dump-dom` cannot set a viewport, a colour scheme or the
//! print medium, and cannot run a check script. chromedriver (Debian's `chromium-driver`, the
//! same build as `chromium`) speaks plain HTTP+JSON, so a blocking HTTP client (`ureq`, no TLS)
//! and `serde_json` drive it from the Rust test itself: no node process, no browser download,
//! no websocket. Its `goog/cdp/execute` endpoint forwards the DevTools commands that emulate a
//! phone (`Emulation.setDeviceMetricsOverride`), dark mode and print
//! (`Emulation.setEmulatedMedia`), and prints to PDF (`Page.printToPDF`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// `ANALYZE_CHROMEDRIVER`, else `chromedriver` on `PATH`.
pub fn find_chromedriver() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ANALYZE_CHROMEDRIVER").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromedriver"))
        .find(|candidate| candidate.is_file())
}

/// A chromedriver process and one headless Chromium session; both end when dropped.
pub struct Browser {
    driver: Child,
    agent: ureq::Agent,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

/// How the page is laid out: viewport width and whether it is a phone, colour scheme, medium.
#[derive(Clone, Copy, Debug)]
pub struct Emulation {
    pub width: u32,
    pub mobile: bool,
    pub dark: bool,
    pub print: bool,
}

pub const DESKTOP: Emulation = Emulation {
    width: 1400,
    mobile: false,
    dark: false,
    print: false,
};
pub const PHONE: Emulation = Emulation {
    width: 390,
    mobile: true,
    dark: false,
    print: false,
};

impl Emulation {
    pub fn dark(self) -> Self {
        Emulation { dark: true, ..self }
    }
    pub fn print(self) -> Self {
        Emulation {
            print: true,
            ..self
        }
    }
}

impl std::fmt::Display for Emulation {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let scheme = if self.dark { "dark" } else { "light" };
        let medium = if self.print { "print" } else { "screen" };
        write!(f, "{} px {scheme} {medium}", self.width)
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free local port");
    listener.local_addr().unwrap().port()
}

impl Browser {
    /// Starts chromedriver on a free local port and opens a headless session of `chromium`.
    pub fn start(driver: &Path, chromium: &Path) -> Browser {
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver.display()));
        // No proxy: the driver is on loopback, whatever the environment says.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver: child,
            agent,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            _profile: profile,
        };
        browser.wait_ready();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-extensions",
                    "--hide-scrollbars",
                    format!("--user-data-dir={}", browser._profile.path().display()),
                    "--window-size=1400,1000",
                ],
            },
        }}});
        let created = browser.request("POST", "/session", Some(caps));
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session from chromedriver: {created}"))
            .to_string();
        browser
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = self
                .agent
                .get(format!("{}/status", self.base))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok())
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready on {}",
                self.base
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One WebDriver command; returns its `value`, panics on a WebDriver error.
    fn request(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let response = match (method, body) {
            ("POST", body) => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or(json!({})).to_string()),
            ("DELETE", _) => self.agent.delete(&url).call(),
            _ => self.agent.get(&url).call(),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap_or_else(|e| panic!("{method} {path}: reading the answer: {e}"));
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {text}"));
        assert!(
            status.is_success(),
            "{method} {path} failed ({status}): {}",
            value["value"]
        );
        value["value"].clone()
    }

    fn session_path(&self, tail: &str) -> String {
        format!("/session/{}{tail}", self.session)
    }

    /// A DevTools command through chromedriver.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.request(
            "POST",
            &self.session_path("/goog/cdp/execute"),
            Some(json!({"cmd": cmd, "params": params})),
        )
    }

    /// Lays the page out as `e` says (takes effect at once, also on a loaded page).
    pub fn emulate(&self, e: Emulation) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": e.width, "height": if e.mobile { 844 } else { 1000 },
                   "deviceScaleFactor": 1, "mobile": e.mobile}),
        );
        let scheme = if e.dark { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({"media": if e.print { "print" } else { "screen" },
                   "features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        );
    }

    /// Navigates to a local file and waits for its `load` event.
    pub fn open(&self, file: &Path) {
        self.request(
            "POST",
            &self.session_path("/url"),
            Some(json!({"url": super::file_url(file)})),
        );
    }

    /// Runs `body` (a function body; `arguments` are `args`) and returns what it returns.
    pub fn eval(&self, body: &str, args: Value) -> Value {
        self.request(
            "POST",
            &self.session_path("/execute/sync"),
            Some(json!({"script": body, "args": args})),
        )
    }

    /// Like `eval`, for a body that ends by calling `arguments[arguments.length - 1](result)`.
    pub fn eval_async(&self, body: &str, args: Value) -> Value {
        self.request(
            "POST",
            &self.session_path("/execute/async"),
            Some(json!({"script": body, "args": args})),
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .agent
                .delete(format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
