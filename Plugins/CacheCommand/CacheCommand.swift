import Foundation
import PackagePlugin

/// `swift package cache <cachectl arguments>`: runs cachectl from the package, e.g.
/// `swift package cache replay trace.u32 --policy lru,opt` or `swift package cache demo`.
@main
struct CacheCommand: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let tool = try context.tool(named: "cachectl")
        let process = Process()
        process.executableURL = tool.url
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            Diagnostics.error("cachectl \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
    }
}
