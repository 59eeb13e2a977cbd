import ArgumentParser

@main
struct Cachectl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachectl",
        abstract: "Inspect, benchmark and demonstrate swift-cache.",
        subcommands: [
            DemoCommand.self, ReplayCommand.self, BenchCommand.self, KeyCommand.self, ExplainCommand.self,
            // stats and clear serve disk and array caches alike (they dispatch by directory kind).
            DiskStatsCommand.self, DiskClearCommand.self, DiskCheckCommand.self, InspectCommand.self, PruneCommand.self, SoakCommand.self,
            JoblibCrashWriterCommand.self, JoblibProbeCommand.self, DiskWorkerCommand.self, AutoMemoizeWorkerCommand.self,
        ])
}
