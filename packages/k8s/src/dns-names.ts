// DNS-1123 labels and subdomains as k8s.io/apimachinery/pkg/util/validation checks them
// (IsDNS1123Label, IsDNS1123Subdomain): the same patterns and limits, so a name one side accepts the
// other accepts too.

/** apimachinery's dns1123LabelFmt, as its validation messages quote it. */
export const dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
/** apimachinery's dns1123SubdomainFmt: labels joined by dots, as its validation messages quote it. */
export const dns1123SubdomainFormat = `${dns1123LabelFormat}(\\.${dns1123LabelFormat})*`;

export const dns1123LabelMaxLength = 63;
// The subdomain limit is on the whole name: apimachinery puts none on its dot-separated parts.
export const dns1123SubdomainMaxLength = 253;

/** The character rule alone; isDNS1123Label also applies the length limit. */
export const dns1123LabelPattern = new RegExp(`^${dns1123LabelFormat}$`);
/** The character rule alone; isDNS1123Subdomain also applies the length limit. */
export const dns1123SubdomainPattern = new RegExp(`^${dns1123SubdomainFormat}$`);

export function isDNS1123Label(value: string): boolean {
  return value.length <= dns1123LabelMaxLength && dns1123LabelPattern.test(value);
}

export function isDNS1123Subdomain(value: string): boolean {
  return value.length <= dns1123SubdomainMaxLength && dns1123SubdomainPattern.test(value);
}
