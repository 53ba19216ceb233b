import Foundation
import KubeAPIMachinery

/// A CronJob as `list` and `status` show it, read from the object the API returns.
///
/// Why from `status`: the CronJob controller records its last run in `status.lastScheduleTime`
/// and the Jobs it has running in `status.active` (object references). Two entries there are
/// exactly the overlap a singleton CronJob must never have, whatever its policy says.
public struct CronJobState: Sendable, Equatable {
    public var schedule: String
    public var suspended: Bool
    /// `spec.concurrencyPolicy`, or the API's default `Allow` when unset.
    public var concurrencyPolicy: String
    public var lastSchedule: Date?
    /// Names of the Jobs in `status.active`, sorted.
    public var activeJobs: [String]

    public init(schedule: String, suspended: Bool, concurrencyPolicy: String, lastSchedule: Date?, activeJobs: [String])
    {
        self.schedule = schedule
        self.suspended = suspended
        self.concurrencyPolicy = concurrencyPolicy
        self.lastSchedule = lastSchedule
        self.activeJobs = activeJobs
    }

    public init(_ cronJob: JSONValue) {
        self.init(
            schedule: cronJob[path: "spec", "schedule"]?.stringValue ?? "",
            suspended: cronJob[path: "spec", "suspend"]?.boolValue ?? false,
            concurrencyPolicy: cronJob[path: "spec", "concurrencyPolicy"]?.stringValue ?? "Allow",
            lastSchedule: cronJob[path: "status", "lastScheduleTime"]?.stringValue.flatMap(KubeTime.parse),
            activeJobs: (cronJob[path: "status", "active"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
                .sorted())
    }

    /// `5m` ago as kubectl's LAST SCHEDULE column prints it, `<none>` before the first run.
    public func lastScheduleText(now: Date) -> String {
        lastSchedule.map { humanDuration(seconds: now.timeIntervalSince($0)) } ?? "<none>"
    }
}

/// A Job's pods as its controller counts them: `spec.parallelism` (default 1) is how many it
/// runs at once, `status.active` how many run now.
public struct JobState: Sendable, Equatable {
    public var parallelism: Int
    public var active: Int
    public var ready: Int

    public init(_ job: JSONValue) {
        parallelism = job[path: "spec", "parallelism"]?.intValue ?? 1
        active = job[path: "status", "active"]?.intValue ?? 0
        ready = job[path: "status", "ready"]?.intValue ?? active
    }
}
