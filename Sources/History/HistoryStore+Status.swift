import Foundation
import GRDB

/// How the history stands with its witnesses (for `cardgate history status` and the daemon's status).
public struct WitnessStatus: Sendable, Equatable {
    /// Whether a witness is set up.
    public enum Mode: String, Sendable {
        /// At least one witness file is configured (and read back before signing).
        case witnessed
        /// Only witness commands: checkpoints are sent out but cannot be read back.
        case commandsOnly
        /// The configuration says `witness = "none"`.
        case none
        /// No witness is named at all (a signing store refuses this).
        case unconfigured
    }

    /// One witness file.
    public struct File: Sendable, Equatable {
        /// Its path.
        public let path: String
        /// The newest checkpoint of this log in it (number and size), if any.
        public let checkpointNumber: Int64?, size: Int64?
        /// What is wrong with it, if anything (missing, unreadable, beyond the end of the database).
        public let problem: String?
    }

    /// The mode.
    public let mode: Mode
    /// The witness files.
    public let files: [File]
    /// How many witness commands are configured.
    public let commands: Int
    /// The history's last sequence number (its tree size).
    public let treeSize: Int64
    /// The size of the newest checkpoint in the database, if any.
    public let lastCheckpointSize: Int64?
    /// Events after the newest witnessed checkpoint (all of them without a readable witness).
    public let unwitnessedEvents: Int64
    /// The witness alarm, if the store is halted.
    public let halt: HistoryHalt?
    /// Sentences to show (no witness, a witness ahead of the database, the alarm).
    public let warnings: [String]
}

extension HistoryStore {
    /// The witness status; reads the witness files' ends, does not verify signatures (that is `verify`'s job).
    public func witnessStatus() throws(HistoryError) -> WitnessStatus {
        let w = configuration.witness
        let mode: WitnessStatus.Mode = !w.files.isEmpty ? .witnessed : !w.commands.isEmpty ? .commandsOnly : w.explicitlyNone ? .none : .unconfigured
        do {
            return try queue.read { db in
                let state = try Self.state(db)
                let sealed = try Self.lastSeal(db)?.lastSequence ?? 0
                let size = state.head?.seq ?? sealed
                let lastCheckpoint = try Self.lastCheckpoint(db)
                let origin = configuration.origin ?? lastCheckpoint?.origin ?? self.origin
                var files: [WitnessStatus.File] = []
                var warnings: [String] = []
                var witnessed: Int64 = 0
                for path in w.files {
                    guard FileManager.default.fileExists(atPath: path) else {
                        files.append(.init(path: path, checkpointNumber: nil, size: nil, problem: "missing (is the witness disk mounted?)"))
                        continue
                    }
                    guard let origin else {
                        files.append(.init(path: path, checkpointNumber: nil, size: nil, problem: "no checkpoint yet"))
                        continue
                    }
                    do {
                        let lines = try WitnessFile.tail(path, origin: origin).compactMap { try? $0.checkpoint.get() }
                        let newest = WitnessLines.newest(lines)
                        var problem: String?
                        if let newest, newest.size > size { problem = "holds checkpoint \(newest.number) at \(newest.size) events, beyond the end of the database (\(size))" }
                        else if let newest { witnessed = max(witnessed, newest.size) }
                        files.append(.init(path: path, checkpointNumber: newest?.number, size: newest?.size, problem: problem))
                    } catch {
                        files.append(.init(path: path, checkpointNumber: nil, size: nil, problem: "\(error)"))
                    }
                }
                for f in files { if let p = f.problem { warnings.append("witness \(f.path): \(p)") } }
                for path in w.files where Self.sameFileSystem(path, configuration.databasePath) {
                    warnings.append("witness \(path) is on the same file system as the database: whoever can write the database can likely rewrite it too; put it on another disk or host")
                }
                switch mode {
                case .none: warnings.append("no witness: the configuration says witness = \"none\"; a tail cut off with its checkpoints cannot be detected")
                case .unconfigured: warnings.append("no witness is configured; the service refuses to record until one is (or witness = \"none\")")
                case .commandsOnly: warnings.append("only witness commands are configured; they cannot be read back before signing")
                case .witnessed: break
                }
                let halt = try Self.halt(db)
                if let halt {
                    warnings.append("HALTED by the witness alarm (\(halt.reason), event \(halt.alarmSequence)): every act is denied until an administrator acts")
                }
                return WitnessStatus(mode: mode, files: files, commands: w.commands.count, treeSize: size, lastCheckpointSize: lastCheckpoint?.size,
                                     unwitnessedEvents: mode == .witnessed ? max(0, size - witnessed) : size, halt: halt, warnings: warnings)
            }
        } catch let e as HistoryError {
            throw e
        } catch {
            throw HistoryError(.storage, "the history could not be read: \(error)")
        }
    }

    /// Whether two existing files live on the same file system (device).
    static func sameFileSystem(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev
    }
}
