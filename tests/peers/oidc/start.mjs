// A certified OpenID Connect provider (oidc-provider) on 127.0.0.1 for Portevoix's single
// sign-on tests and demo. One confidential client, fixed accounts; dev interactions (a login
// form that takes any password for the accounts below, then a consent form).
//   PV_OIDC_PORT (0: a free port), PV_OIDC_REDIRECT_URIS (comma-separated)
// Prints one JSON line {"event": "ready", "issuer": ...} once listening.
import Provider from "oidc-provider";
import http from "node:http";

const ACCOUNTS = {
  "ada@example.com": { name: "Ada Lovelace", job_title: "Engineer", groups: ["Engineering", "Paris"], email_verified: true },
  "grace@example.com": { name: "Grace Hopper", job_title: "Admiral", groups: [], email_verified: true },
  "eve@elsewhere.test": { name: "Eve", job_title: "", groups: [], email_verified: true },
  "nobody@example.com": { name: "Not Verified", job_title: "", groups: [], email_verified: false },
};

const port = Number(process.env.PV_OIDC_PORT || 0);
const redirectUris = (process.env.PV_OIDC_REDIRECT_URIS || "http://testserver/sso/callback/").split(",");
const server = http.createServer();
await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    { client_id: "portevoix", client_secret: "portevoix-secret", redirect_uris: redirectUris,
      grant_types: ["authorization_code"], response_types: ["code"] },
    { client_id: "another-app", client_secret: "another-secret", redirect_uris: redirectUris,
      grant_types: ["authorization_code"], response_types: ["code"] },
  ],
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "job_title", "groups"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, email: id, ...account }; } };
  },
});
provider.proxy = false;
server.on("request", provider.callback());
process.stdout.write(JSON.stringify({ event: "ready", issuer }) + "\n");
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
