import Foundation
import GPZConfig

/// The image prior's settings (key `prior` of the attack section: `{latent: 64, epochs: 15, finetune: 0.1}`),
/// read by the `prior` and `prior-whitebox` attackers. Left out of the configuration's JSON at its default, so the
/// hashes of attacks made before the prior existed stay valid (`OmittedWhenDefault`).
public struct ImagePriorSettings: DefaultedSetting, CustomStringConvertible {
    /// Dimensions of the latent code w of the variational auto-encoder.
    public var latent = 64
    /// Epochs of the prior's training on the attacker's images.
    public var epochs = 15
    /// The generator's learning rate during the black-box attack, as a share of the mapping's (`attack.lr`): the
    /// generator is fine-tuned with the reconstruction loss at this smaller step, so it stays close to the prior;
    /// 0 keeps it frozen.
    public var finetune = 0.1

    public static var settingDefault: ImagePriorSettings { ImagePriorSettings() }

    public init() {}

    public init(latent: Int, epochs: Int, finetune: Double) {
        self.latent = latent
        self.epochs = epochs
        self.finetune = finetune
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case latent, epochs, finetune
    }

    /// Any subset of the keys over the defaults; an unknown key is an error naming it.
    public init(from decoder: any Decoder) throws {
        let known = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = known.allKeys.first(where: { CodingKeys(rawValue: $0.stringValue) == nil }) {
            throw DecodingError.dataCorruptedError(
                forKey: unknown, in: known,
                debugDescription: "prior.\(unknown.stringValue): unknown field; expected one of epochs, finetune, latent")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        latent = try container.decodeIfPresent(Int.self, forKey: .latent) ?? latent
        epochs = try container.decodeIfPresent(Int.self, forKey: .epochs) ?? epochs
        finetune = try container.decodeIfPresent(Double.self, forKey: .finetune) ?? finetune
    }

    /// Names the first bad field as `prior.KEY`.
    public func validate() throws {
        try ConfigError.within(1...4_096, latent, "prior.latent")
        try ConfigError.within(1...10_000, epochs, "prior.epochs")
        if !(finetune >= 0 && finetune <= 1) {
            throw ConfigError(field: "prior.finetune", "\(finetune): expected a share of lr in [0, 1]")
        }
    }

    /// `latent=64,epochs=15,finetune=0.1`; `gpz attack --prior` parses the same form.
    public var description: String { "latent=\(latent),epochs=\(epochs),finetune=\(finetune)" }

    /// Parses `KEY=VALUE` pairs separated by commas over the defaults.
    public init(parsing text: String) throws {
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else {
                throw ConfigError(field: "prior", "'\(pair)': expected KEY=VALUE (latent, epochs, finetune)")
            }
            switch (parts[0], Int(parts[1]), Double(parts[1])) {
            case ("latent", let value?, _): latent = value
            case ("epochs", let value?, _): epochs = value
            case ("finetune", _, let value?): finetune = value
            default: throw ConfigError(field: "prior", "'\(pair)': expected latent=INT, epochs=INT or finetune=SHARE")
            }
        }
        try validate()
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
