/// An immutable value kept behind one reference, so that the struct holding it stays small
/// and copying that struct copies a pointer rather than the value.
final class Box<Value> {
    let value: Value

    init(_ value: Value) { self.value = value }
}
