//! `analyze INPUT...`: read support archives and report where packets were lost.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use analyze::pipeline::{render_to, Format};
use analyze::{damage, pipeline};

/// mimalloc instead of glibc malloc: the model is built from many small allocations, and a
/// streamed capture log frees on one thread what another allocated (bench/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes, the same for single runs and `batch` (README.md "Exit codes"; a unit test
/// checks that README's table and `--help` agree).
const EXIT_OK: u8 = 0;
const EXIT_WRITE: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_NOTHING_READ: u8 = 3;
const EXIT_PARTIAL: u8 = 4;

/// The `EXIT CODES` section of `--help`, shared by the main command and `batch`.
macro_rules! exit_codes_help {
    () => {
        "EXIT CODES:
  0  complete: every input was read to its end and the report was written
     (batch: files that are not inputs are skipped and listed, unless --strict)
  1  the report could not be written (the path is named on stderr)
  2  usage error
  3  nothing could be read: every input is missing, unreadable or not an input
     (one line per input on stderr; no report is written)
  4  partial input: the report was written, but at least one input is missing,
     unreadable, damaged or was read only in part (one line per input on stderr,
     and the report says \"partial input\"); batch: an input failed or was partial,
     a path given does not exist, or --strict and a file was not an input"
    };
}

#[derive(Parser, Debug)]
#[command(
    name = "analyze",
    version,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    about = "Find where packets are lost, from a sosreport, a supportconfig, or a pasted capture.",
    after_help = concat!(
        "EXAMPLES:\n  analyze sosreport-web01.tar.xz > report.html\n  analyze --format md capture.log\n  xclip -o | analyze --format md -\n  analyze --format json -o web01.json sosreport-before.tar.xz sosreport-after.tar.xz\n  analyze batch tickets/ --out reports/ --jobs 2\n\n",
        exit_codes_help!()
    )
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Inputs: sosreport or supportconfig tarballs (.tar.xz/.gz/.bz2/.zst, plain .tar, sos
    /// collect bundles), extracted directories, or single capture files; `-` reads standard
    /// input (`xclip -o | analyze --format md -`). Several inputs of the same host merge into
    /// one timeline.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    /// Output format: a self-contained HTML page, Markdown for a ticket comment, or JSON
    /// (schema `analyze/1`, documented in README.md).
    #[arg(short, long, value_enum, default_value = "html")]
    format: Format,

    /// Write the report to FILE instead of standard output, e.g. `-o report.html`.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Analyze many inputs in parallel: DIR/<input>/report.{html,md,json}, DIR/index.html,
    /// DIR/findings.jsonl. Re-runs skip inputs whose report is up to date.
    #[command(
        after_help = concat!(
            "EXAMPLES:\n  analyze batch tickets/ --out reports/\n  analyze batch /archive --out /reports --shard 3/8   # the 3rd of 8 machines\n\n",
            exit_codes_help!()
        )
    )]
    Batch(analyze::batch::Options),
    /// Print the capture script to send a customer (`scripts/capture-drops.sh`): it reads the
    /// drop counters every few seconds, read-only, and `analyze` reads its output with rates.
    #[command(
        after_help = "EXAMPLES:\n  analyze capture-script > capture-drops.sh\n  sh capture-drops.sh -i 5 -n 60      # on the customer's machine: 5 minutes\n  analyze drops-web01-20261203T101500Z.txt.gz > report.html"
    )]
    CaptureScript,
}

/// The capture script, embedded at build time so that `analyze capture-script` and the file
/// in the repository never differ.
const CAPTURE_SCRIPT: &str = include_str!("../scripts/capture-drops.sh");

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(Command::CaptureScript) = cli.command {
        print!("{CAPTURE_SCRIPT}");
        return ExitCode::from(EXIT_OK);
    }
    if let Some(Command::Batch(opts)) = cli.command {
        return match analyze::batch::run(&opts) {
            Ok(analyze::batch::Verdict::Complete) => ExitCode::from(EXIT_OK),
            Ok(analyze::batch::Verdict::Partial) => ExitCode::from(EXIT_PARTIAL),
            Ok(analyze::batch::Verdict::NothingRead) => ExitCode::from(EXIT_NOTHING_READ),
            Err(e) => {
                eprintln!("analyze batch: {e}");
                ExitCode::from(EXIT_WRITE)
            }
        };
    }
    let report = pipeline::run(&cli.inputs);
    let damaged = damage::damaged(&report);
    // One line per damaged input: path, what happened, what to do.
    for (path, error) in &damaged {
        eprintln!("analyze: {path}: {}", damage::explain(error));
    }
    if damage::nothing_read(&report) {
        if damaged.is_empty() {
            for p in &report.problems {
                eprintln!("analyze: {}: {}", p.source, p.message);
            }
        }
        eprintln!("analyze: no input could be read; no report written");
        return ExitCode::from(EXIT_NOTHING_READ);
    }
    let written = match &cli.output {
        Some(path) => std::fs::File::create(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))
            .and_then(|mut f| {
                render_to(&report, cli.format, &mut f)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            }),
        None => render_to(&report, cli.format, &mut std::io::stdout().lock())
            .map_err(|e| format!("cannot write to standard output: {e}")),
    };
    if let Err(e) = written {
        eprintln!("analyze: the report could not be written: {e}");
        return ExitCode::from(EXIT_WRITE);
    }
    if !damaged.is_empty() {
        eprintln!(
            "analyze: partial input: {} of {} input(s) missing, damaged or read only in part; the report covers what could be read",
            damaged.len(),
            report.inputs.len()
        );
        return ExitCode::from(EXIT_PARTIAL);
    }
    ExitCode::from(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// `code → first words of its meaning` from README's "Exit codes" table.
    fn readme_codes() -> Vec<(u8, String)> {
        let readme = include_str!("../README.md");
        let section = readme
            .split("\n## Exit codes\n")
            .nth(1)
            .expect("README has an Exit codes section");
        let section = section.split("\n## ").next().unwrap();
        section
            .lines()
            .filter_map(|l| {
                let cells: Vec<&str> = l.trim().trim_matches('|').split('|').collect();
                let code = cells.first()?.trim().parse::<u8>().ok()?;
                Some((code, summary(cells.get(1)?)))
            })
            .collect()
    }

    /// `code → first words` from an `EXIT CODES:` help section.
    fn help_codes(help: &str) -> Vec<(u8, String)> {
        let section = help
            .split("EXIT CODES:")
            .nth(1)
            .expect("help lists exit codes");
        section
            .lines()
            .filter_map(|l| {
                let l = l.trim_start();
                let (code, rest) = l.split_once("  ")?;
                Some((code.parse::<u8>().ok()?, summary(rest)))
            })
            .collect()
    }

    /// The meaning up to its first `:` or `(`, lower case, without Markdown marks.
    fn summary(text: &str) -> String {
        text.split([':', '('])
            .next()
            .unwrap()
            .replace(['*', '`'], "")
            .trim()
            .to_lowercase()
    }

    #[test]
    fn readme_and_help_list_the_same_exit_codes() {
        let readme = readme_codes();
        assert_eq!(
            readme.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4],
            "{readme:?}"
        );
        let consts = [
            EXIT_OK,
            EXIT_WRITE,
            EXIT_USAGE,
            EXIT_NOTHING_READ,
            EXIT_PARTIAL,
        ];
        assert_eq!(consts, [0, 1, 2, 3, 4]);
        let mut cmd = Cli::command();
        let main_help = cmd.render_long_help().to_string();
        let batch_help = cmd
            .find_subcommand_mut("batch")
            .unwrap()
            .render_long_help()
            .to_string();
        for help in [main_help, batch_help] {
            assert_eq!(help_codes(&help), readme, "{help}");
        }
    }
}
