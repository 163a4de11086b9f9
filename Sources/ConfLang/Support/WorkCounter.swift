#if DEBUG
import Synchronization
#endif

/// Counts reads of directive names and argument values, in debug builds only
/// (release builds compile `count` to nothing): tests check that the semantic
/// passes stay linear by counting work instead of timing it.
enum WorkCounter {
    #if DEBUG
    static let reads = Atomic<Int>(0)
    #endif

    @inline(__always)
    static func count() {
        #if DEBUG
        reads.wrappingAdd(1, ordering: .relaxed)
        #endif
    }
}
