//! Captures that hold other captures: a supportconfig `*.txt` file (split into its
//! `#==[ … ]==#` sections by `ingest`) and a capture log (split into segments).

use regex::Regex;
use std::sync::OnceLock;

use super::{fixed_label, re, row, CaptureKind, Kind, Read, Sniff};

pub static SUPPORTCONFIG_FILE: Kind = Kind {
    label: fixed_label!("supportconfig file"),
    paths: &[row!(
        Supportconfig,
        [],
        r"(?:basic-environment|network|network-.+|proc|env|hardware)\.txt",
        |_, _| Some(CaptureKind::SupportconfigFile)
    )],
    argv: None,
    sniff: Some(Sniff {
        order: 1,
        test: |h| {
            static HEADER: OnceLock<Regex> = OnceLock::new();
            h.any(re(&HEADER, r"^#==\[ .+ \]=+#\s*$"))
                .then_some(CaptureKind::SupportconfigFile)
        },
    }),
    starts: &[],
    read: Read::Container,
};

pub static CAPTURE_LOG: Kind = Kind {
    label: fixed_label!("capture log"),
    paths: &[],
    argv: None,
    sniff: None,
    starts: &[],
    read: Read::Container,
};
