import Foundation
@testable import SingletonCore

/// The webhook's admission path, and its reader of parent metadata, on arbitrary bytes: the byte reader (the workload lane) and
/// the Codable model each read the body, a parent lookup outcome and policy decide it, and
/// the answer is written. A crash, a hang (libFuzzer's -timeout) or any difference between
/// the paths (`ReviewAgreement`, which the differential tests run too) fails.
///
/// One of the six settings per input, picked by its length, so mutations of one body try
/// each; all six on every input would make each execution about four times as long.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReview(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let body = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    let settings = ReviewAgreement.settings
    let report = ReviewAgreement.check(body, settings: [settings[count % settings.count]])
    if !report.disagreements.isEmpty { FuzzFailure.trap("review", report.disagreements) }
    // The parent cache's reader of API server bytes (list pages, watch objects): it must
    // neither crash nor hang on anything; its agreement with JSONDecoder is MetadataReaderTests'.
    let raw = [UInt8](body)
    _ = MetadataReader.page(raw, annotationPrefix: "kube-singleton.dev/")
    _ = MetadataReader.object(raw, annotationPrefix: "kube-singleton.dev/")
    return 0
}
