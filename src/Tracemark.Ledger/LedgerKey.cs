using System.Security.Cryptography;

namespace Tracemark.Ledger;

/// <summary>
/// The node's ECDSA P-256 key for tree heads: the whole key pair to sign, or only the public half to verify.
/// Public keys travel as PEM SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"), private keys as PEM PKCS#8.
/// Safe to share between threads: .NET does not promise that of ECDsa, so uses of the key take turns.
/// </summary>
public sealed class LedgerKey : IDisposable
{
    private const string P256 = "1.2.840.10045.3.1.7";

    private readonly ECDsa _key;
    private readonly Lock _use = new();

    private LedgerKey(ECDsa key, bool canSign)
    {
        _key = key;
        CanSign = canSign;
        Fingerprint = "sha256:" + Merkle.Hex(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    public bool CanSign { get; }

    /// <summary>"sha256:" and the SHA-256 of the public key's DER SubjectPublicKeyInfo, in hex: how people tell keys apart.</summary>
    public string Fingerprint { get; }

    public static LedgerKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), canSign: true);

    /// <summary>Reads a PEM public key, or a PEM private key (PKCS#8 or SEC 1), of the P-256 curve.</summary>
    public static LedgerKey FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            var curve = key.ExportParameters(includePrivateParameters: false).Curve;
            if (!curve.IsNamed || !string.Equals(curve.Oid.Value, P256, StringComparison.Ordinal))
            {
                throw new FormatException($"the key is not on the P-256 curve (it is {curve.Oid.FriendlyName ?? curve.Oid.Value ?? "an unnamed curve"})");
            }

            return new LedgerKey(key, HasPrivatePart(pem));
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException("the key is not a PEM-encoded ECDSA key: " + ex.Message, ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public string ExportPublicKeyPem() => _key.ExportSubjectPublicKeyInfoPem() + "\n";

    public string ExportPrivateKeyPem()
    {
        if (!CanSign)
        {
            throw new InvalidOperationException("This is a public key only.");
        }

        return _key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    public SignedTreeHead Sign(TreeHead head, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (!CanSign)
        {
            throw new InvalidOperationException("A public key cannot sign.");
        }

        // Millisecond precision first, so that what is signed is what the tree head will say.
        var when = DateTimeOffset.FromUnixTimeMilliseconds(timestamp.ToUnixTimeMilliseconds());
        var bytes = SignedTreeHead.EncodeSignedBytes(head.TreeSize, head.RootHash, when);
        byte[] signature;
        lock (_use)
        {
            signature = _key.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }

        return new SignedTreeHead(head.TreeSize, head.RootHash, when, signature);
    }

    public VerificationResult Verify(SignedTreeHead treeHead)
    {
        ArgumentNullException.ThrowIfNull(treeHead);
        bool valid;
        try
        {
            lock (_use)
            {
                valid = _key.VerifyData(treeHead.SignedBytes(), treeHead.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            }
        }
        catch (CryptographicException)
        {
            valid = false;
        }

        return valid
            ? VerificationResult.Valid
            : VerificationResult.Fail($"the signature of the tree head of {Merkle.Number(treeHead.TreeSize)} leaves does not verify under key {Fingerprint}");
    }

    public void Dispose() => _key.Dispose();

    private static bool HasPrivatePart(string pem) =>
        pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal);
}
