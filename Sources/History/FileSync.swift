#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes a rename or removal inside `path` durable (fsync of the directory); errors are ignored because
/// the file operations themselves already succeeded.
func fsyncDirectory(_ path: String) {
    let fd = open(path, O_RDONLY | O_DIRECTORY)
    if fd >= 0 { _ = fsync(fd); close(fd) }
}
