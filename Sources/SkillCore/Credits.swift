/// Integer tenths of a credit, formatted for people.
public enum Credits {
    /// `64` → `"6.4"`, `-5` → `"-0.5"`.
    public static func format(_ tenths: Int) -> String {
        let sign = tenths < 0 ? "-" : ""
        let m = tenths.magnitude
        return "\(sign)\(m / 10).\(m % 10)"
    }
}
