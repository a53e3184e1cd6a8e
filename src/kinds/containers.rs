//! Captures that hold other captures: a supportconfig `*.txt` file (split into its
//! `#==[ … ]==#` sections by `ingest`) and a capture log (split into segments).

use super::{fixed_label, row, CaptureKind, Kind, Read};

pub static SUPPORTCONFIG_FILE: Kind = Kind {
    label: fixed_label!("supportconfig file"),
    paths: &[row!(
        Supportconfig,
        [],
        r"(?:basic-environment|network|network-.+|proc|env|hardware)\.txt",
        |_, _| Some(CaptureKind::SupportconfigFile)
    )],
    argv: None,
    read: Read::Container,
};

pub static CAPTURE_LOG: Kind = Kind {
    label: fixed_label!("capture log"),
    paths: &[],
    argv: None,
    read: Read::Container,
};
