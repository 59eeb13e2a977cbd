import ArgumentParser

@main
struct Cachectl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachectl",
        abstract: "Inspect, benchmark and demonstrate swift-cache.",
        subcommands: [
            DemoCommand.self, ReplayCommand.self, BenchCommand.self, KeyCommand.self, ExplainCommand.self,
            JoblibStatsCommand.self, JoblibClearCommand.self, JoblibCrashWriterCommand.self,
        ])
}
