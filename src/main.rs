//! The `peakend` command-line tool. Everything it does is in [`cli`]:
//! argument parsing, reading files, writing output; the work itself is the
//! library's.

#![forbid(unsafe_code)]
#![warn(clippy::too_many_lines)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
