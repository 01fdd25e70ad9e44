/// The version `logq --version` and `logq version` print: the one place it is written.
enum LogqVersion {
    static let string = "0.9.0"
}
