/**
 * The development district's key pair: it signs the certificates of the virtual staff and
 * technician cards (`mashang sim-card staff`), and a simulated kiosk trusts its public key.
 *
 * This private key is published in the source on purpose and protects nothing. A production
 * kiosk is configured with its real district's public key (the private key stays in the
 * district's HSM), so a card signed by this key is refused there as forged.
 */
export const DEVELOPMENT_DISTRICT = '330100';

export const DEVELOPMENT_DISTRICT_PRIVATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtr04soe+rUdhbz9s
4HryxtxLwNuPfUQ6VcfQMIaPx12hRANCAAS8QuDigGB7zHGvR/GhNINkOhOMBEg9
w5nThNpLQf7Uanlp09UriEtBq0KR+PV/qeqin/MZ/iBDYO92T5Hv0+JM
-----END PRIVATE KEY-----
`;

export const DEVELOPMENT_DISTRICT_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEvELg4oBge8xxr0fxoTSDZDoTjARI
PcOZ04TaS0H+1Gp5adPVK4hLQatCkfj1f6nqop/zGf4gQ2Dvdk+R79PiTA==
-----END PUBLIC KEY-----
`;
