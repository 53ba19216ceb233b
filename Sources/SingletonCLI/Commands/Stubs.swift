import ArgumentParser
struct EnableCommand: ParsableCommand {}
struct DisableCommand: ParsableCommand {}
struct ListCommand: ParsableCommand {}
struct StatusCommand: ParsableCommand {}
struct LeasesCommand: ParsableCommand {}
struct InstallCommand: ParsableCommand {}
struct UninstallCommand: ParsableCommand {}
struct DoctorCommand: ParsableCommand {}
