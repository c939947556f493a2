/// An error whose cause is the user's input — a configuration field, an option, a data set, a checkpoint or
/// weights file — rather than the program. Each error type says so where it is declared; the command line prints
/// such an error on one line and exits with status 2 (anything else is an internal failure, status 1).
public protocol UserError: Error {}

extension ConfigError: UserError {}
