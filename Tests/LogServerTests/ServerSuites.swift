import Testing

/// Every suite of this target, run one after the other: the writer-failure test installs the
/// store's global I/O observer, which must not change while another test's writer runs.
@Suite(.serialized)
enum ServerSuites {}
