//! The `circles` binary: everything lives in the library; see `cli`.

/// mimalloc: decoding makes and drops many small strings per post, which it
/// serves faster than the system allocator (`circles route` on the 100k-post
/// benchmark: 0.48 s -> 0.45 s).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    circles::cli::main()
}
