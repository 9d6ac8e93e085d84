//! The `circles` binary: everything lives in the library; see `cli`.

fn main() -> std::process::ExitCode {
    circles::cli::main()
}
