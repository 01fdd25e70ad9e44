/// How much the generated values vary (`logq-gen --profile`).
enum Profile: String, Sendable {
    /// The values of earlier releases, byte for byte: a small, quiet cluster whose names, user
    /// agents and bodies repeat all day (so earlier benchmark figures stay comparable).
    case standard
    /// Values as real clusters and accounts vary them: `K8sVariedProfile`, `CloudTrailVariedProfile`.
    case varied
}
