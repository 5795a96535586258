// DEMO ONLY. The company's credential for the linkage service, in a page
// module so that `make demo` works without a login. It is a publishable demo
// string: only its SHA-256 is in demo/linkage/linkage.json.
//
// A real staff console never ships a credential in its code: it gets a
// short-lived one from the company's single sign-on or backend after the
// member of staff has logged in, and the company credential is never given to
// a partner (a partner's page holds only the partner's own credential).
export const COMPANY_LINKAGE_API_KEY = 'sk_demo_company_linkage_not_secret';
/** The linking project the company's directory takes part in. */
export const LINKAGE_PROJECT = 'demo-partners';
