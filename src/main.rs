//! `analyze INPUT...`: read support archives and report where packets were lost.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use analyze::pipeline;
use analyze::report::{render_to, Format};

/// mimalloc instead of glibc malloc: the model is built from many small allocations, and a
/// streamed capture log frees on one thread what another allocated (bench/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes (documented in README.md).
const EXIT_OK: u8 = 0;
const EXIT_USAGE: u8 = 2;
const EXIT_NOTHING_READ: u8 = 3;

#[derive(Parser, Debug)]
#[command(
    name = "analyze",
    version,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    about = "Find where packets are lost, from a sosreport, a supportconfig, or a pasted capture.",
    after_help = "EXAMPLES:\n  analyze sosreport-web01.tar.xz > report.html\n  analyze --format md capture.log\n  xclip -o | analyze --format md -\n  analyze --format json -o web01.json sosreport-before.tar.xz sosreport-after.tar.xz\n  analyze batch tickets/ --out reports/ --jobs 2\n\nEXIT CODES:\n  0  a report was produced (problems met while reading are listed inside it)\n  2  usage error\n  3  no input could be read at all (the reason is printed on stderr);\n     for `batch`: at least one input failed or was read only in part"
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
        after_help = "EXAMPLES:\n  analyze batch tickets/ --out reports/\n  analyze batch /archive --out /reports --shard 3/8   # the 3rd of 8 machines\n\nEXIT CODES:\n  0  every input produced a complete report\n  2  usage error\n  3  at least one input failed or was read only in part (see index.html)"
    )]
    Batch {
        /// Files and directories to search for archives, report directories and captures.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output directory (created if needed).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Inputs processed at once (default: all cores), e.g. `--jobs 2`.
        #[arg(short, long, value_name = "N")]
        jobs: Option<usize>,
        /// Re-analyze inputs whose report is up to date.
        #[arg(long)]
        force: bool,
        /// Process only shard K of N (a deterministic 1/N of the inputs by path hash), e.g.
        /// `--shard 3/8` on the third of eight machines or array tasks.
        #[arg(long, value_name = "K/N")]
        shard: Option<analyze::batch::Shard>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(Command::Batch {
        paths,
        out,
        jobs,
        force,
        shard,
    }) = cli.command
    {
        let opts = analyze::batch::Options {
            paths,
            out,
            jobs,
            force,
            shard,
        };
        return match analyze::batch::run(&opts) {
            Ok(true) => ExitCode::from(EXIT_OK),
            Ok(false) => ExitCode::from(EXIT_NOTHING_READ),
            Err(e) => {
                eprintln!("analyze batch: {e}");
                ExitCode::from(1)
            }
        };
    }
    let report = pipeline::run(&cli.inputs);
    if pipeline::nothing_read(&report) {
        eprintln!("analyze: no input could be read:");
        for p in &report.problems {
            eprintln!("  {}: {}", p.source, p.message);
        }
        return ExitCode::from(EXIT_NOTHING_READ);
    }
    let written = match &cli.output {
        Some(path) => std::fs::File::create(path)
            .map_err(|e| e.to_string())
            .and_then(|mut f| render_to(&report, cli.format, &mut f)),
        None => render_to(&report, cli.format, &mut std::io::stdout().lock()),
    };
    if let Err(e) = written {
        eprintln!("analyze: cannot write the report: {e}");
        return ExitCode::from(1);
    }
    ExitCode::from(EXIT_OK)
}
