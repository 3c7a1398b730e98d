fn main() -> std::process::ExitCode {
    marquee::cli::main()
}
