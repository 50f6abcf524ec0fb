import { invisibleIn, type Rule } from "./rule";

/**
 * EKS cluster names: 1–100 of [0-9A-Za-z_-], starting alphanumeric (EKS API CreateCluster, `name`:
 * pattern ^[0-9A-Za-z][A-Za-z0-9\-_]*, length 1–100;
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html).
 */
export const eksClusterName: Rule = {
  pattern: /^(?=.{1,100}$)[0-9A-Za-z][0-9A-Za-z_-]*$/,
  fix: "use the name `aws eks list-clusters` shows: 1 to 100 letters, digits, '-' and '_', starting with a letter or digit",
  reason: invisibleIn,
};

/**
 * Region codes: two letters, optional partition words (gov, iso, isob, ...), a direction and a
 * number: us-east-1, us-gov-west-1, cn-north-1, eu-isoe-west-1
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html).
 */
export const awsRegion: Rule = {
  pattern: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  fix: "use a region code such as ap-northeast-1 or us-east-1 (not a name like Tokyo, not an availability zone like us-east-1a)",
  reason: (value) =>
    invisibleIn(value) ??
    (/^[a-z]{2}(-[a-z]+)+-\d{1,2}[a-z]$/.test(value)
      ? `is an availability zone; use its region, ${value.slice(0, -1)}`
      : undefined),
};

const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/**
 * General purpose S3 bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
 * 3–63 of lowercase letters, digits, '.' and '-', alphanumeric at both ends, no "..", not an IP
 * address, none of the reserved prefixes and suffixes.
 */
export const s3BucketName: Rule = {
  pattern: /^(?=.{3,63}$)(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
  fix: "use 3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (S3 bucket naming rules)",
  reason: (value) => {
    const prefix = RESERVED_PREFIXES.find((reserved) => value.startsWith(reserved));
    if (prefix) return `starts with "${prefix}", which S3 reserves; choose another bucket name`;
    const suffix = RESERVED_SUFFIXES.find((reserved) => value.endsWith(reserved));
    if (suffix)
      return `ends with "${suffix}", which S3 reserves for access points and other aliases; choose another bucket name`;
    if (/^\d+\.\d+\.\d+\.\d+$/.test(value)) return "is formatted as an IP address, which S3 refuses as a bucket name";
    if (/[A-Z_]/.test(value)) {
      return "has uppercase letters or '_', which S3 bucket names cannot have; use lowercase letters, digits, '-' and '.'";
    }
    return invisibleIn(value);
  },
};
