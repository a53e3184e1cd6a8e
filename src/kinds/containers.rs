//! Captures that hold other captures: a supportconfig `*.txt` file (split into its
//! `#==[ … ]==#` sections by `ingest`) and a capture log (split into segments).

use super::{fixed_label, Kind, Read};

pub static SUPPORTCONFIG_FILE: Kind = Kind {
    label: fixed_label!("supportconfig file"),
    read: Read::Container,
};

pub static CAPTURE_LOG: Kind = Kind {
    label: fixed_label!("capture log"),
    read: Read::Container,
};
