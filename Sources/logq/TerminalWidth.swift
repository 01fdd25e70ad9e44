#if canImport(Glibc)
import Glibc
#endif

extension Environment {
    /// The terminal's width in characters: $COLUMNS, else TIOCGWINSZ on stdout; nil when neither says.
    static var terminalWidth: Int? {
        if let columns = current["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
