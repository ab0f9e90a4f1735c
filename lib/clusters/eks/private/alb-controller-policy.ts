// The IAM policy of the AWS Load Balancer Controller v3.2.2, from the controller's docs/install/iam_policy.json
// (the same document aws-cdk-lib ships as aws-eks-v2/lib/addons/alb-iam_policy-v3.2.2.json).
// Resources are written with the `aws` partition; albControllerPolicyStatements() rewrites them.
/* eslint-disable @stylistic/quote-props, @stylistic/quotes */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

const STATEMENTS: Array<Record<string, unknown>> = [
  {
    "Effect": "Allow",
    "Action": [
      "iam:CreateServiceLinkedRole",
    ],
    "Resource": "*",
    "Condition": {
      "StringEquals": {
        "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com",
      },
    },
  },
  {
    "Effect": "Allow",
    "Action": [
      "ec2:DescribeAccountAttributes",
      "ec2:DescribeAddresses",
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeInternetGateways",
      "ec2:DescribeVpcs",
      "ec2:DescribeVpcPeeringConnections",
      "ec2:DescribeSubnets",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeInstances",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeTags",
      "ec2:GetCoipPoolUsage",
      "ec2:DescribeCoipPools",
      "ec2:GetSecurityGroupsForVpc",
      "ec2:DescribeIpamPools",
      "ec2:DescribeRouteTables",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeLoadBalancerAttributes",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeListenerCertificates",
      "elasticloadbalancing:DescribeSSLPolicies",
      "elasticloadbalancing:DescribeRules",
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetGroupAttributes",
      "elasticloadbalancing:DescribeTargetHealth",
      "elasticloadbalancing:DescribeTags",
      "elasticloadbalancing:DescribeTrustStores",
      "elasticloadbalancing:DescribeListenerAttributes",
      "elasticloadbalancing:DescribeCapacityReservation",
    ],
    "Resource": "*",
  },
  {
    "Effect": "Allow",
    "Action": [
      "cognito-idp:DescribeUserPoolClient",
      "acm:ListCertificates",
      "acm:DescribeCertificate",
      "iam:ListServerCertificates",
      "iam:GetServerCertificate",
      "waf-regional:GetWebACL",
      "waf-regional:GetWebACLForResource",
      "waf-regional:AssociateWebACL",
      "waf-regional:DisassociateWebACL",
      "wafv2:GetWebACL",
      "wafv2:GetWebACLForResource",
      "wafv2:AssociateWebACL",
      "wafv2:DisassociateWebACL",
      "shield:GetSubscriptionState",
      "shield:DescribeProtection",
      "shield:CreateProtection",
      "shield:DeleteProtection",
    ],
    "Resource": "*",
  },
  {
    "Effect": "Allow",
    "Action": [
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupIngress",
    ],
    "Resource": "*",
  },
  {
    "Effect": "Allow",
    "Action": [
      "ec2:CreateSecurityGroup",
    ],
    "Resource": "*",
  },
  {
    "Effect": "Allow",
    "Action": [
      "ec2:CreateTags",
    ],
    "Resource": "arn:aws:ec2:*:*:security-group/*",
    "Condition": {
      "StringEquals": {
        "ec2:CreateAction": "CreateSecurityGroup",
      },
      "Null": {
        "aws:RequestTag/elbv2.k8s.aws/cluster": "false",
      },
    },
  },
  {
    "Effect": "Allow",
    "Action": [
      "ec2:CreateTags",
      "ec2:DeleteTags",
    ],
    "Resource": "arn:aws:ec2:*:*:security-group/*",
    "Condition": {
      "Null": {
        "aws:RequestTag/elbv2.k8s.aws/cluster": "true",
        "aws:ResourceTag/elbv2.k8s.aws/cluster": "false",
      },
    },
  },
  {
    "Effect": "Allow",
    "Action": [
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:DeleteSecurityGroup",
    ],
    "Resource": "*",
    "Condition": {
      "Null": {
        "aws:ResourceTag/elbv2.k8s.aws/cluster": "false",
      },
    },
  },
  {
    "Effect": "Allow",
    "Action": [
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:CreateTargetGroup",
    ],
    "Resource": "*",
    "Condition": {
      "Null": {
        "aws:RequestTag/elbv2.k8s.aws/cluster": "false",
      },
    },
  },
  {
    "Effect": "Allow",
    "Action": [
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:CreateRule",
      "elasticloadbalancing:DeleteRule",
    ],
    "Resource": "*",
  },
  {
    "Effect": "Allow",
    "Action": [
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:RemoveTags",
    ],
    "Resource": [
      "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
      "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
      "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
    ],
    "Condition": {
      "Null": {
        "aws:RequestTag/elbv2.k8s.aws/cluster": "true",
        "aws:ResourceTag/elbv2.k8s.aws/cluster": "false",
      },
    },
  },
  {
    "Effect": "Allow",
    "Action": [
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:RemoveTags",
    ],
    "Resource": [
      "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
      "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
      "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
      "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*",
    ],
  },
  {
    "Effect": "Allow",
    "Action": [
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:SetIpAddressType",
      "elasticloadbalancing:SetSecurityGroups",
      "elasticloadbalancing:SetSubnets",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:ModifyListenerAttributes",
      "elasticloadbalancing:ModifyCapacityReservation",
      "elasticloadbalancing:ModifyIpPools",
    ],
    "Resource": "*",
    "Condition": {
      "Null": {
        "aws:ResourceTag/elbv2.k8s.aws/cluster": "false",
      },
    },
  },
  {
    "Effect": "Allow",
    "Action": [
      "elasticloadbalancing:AddTags",
    ],
    "Resource": [
      "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
      "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
      "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
    ],
    "Condition": {
      "StringEquals": {
        "elasticloadbalancing:CreateAction": [
          "CreateTargetGroup",
          "CreateLoadBalancer",
        ],
      },
      "Null": {
        "aws:RequestTag/elbv2.k8s.aws/cluster": "false",
      },
    },
  },
  {
    "Effect": "Allow",
    "Action": [
      "elasticloadbalancing:RegisterTargets",
      "elasticloadbalancing:DeregisterTargets",
    ],
    "Resource": "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
  },
  {
    "Effect": "Allow",
    "Action": [
      "elasticloadbalancing:SetWebAcl",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:AddListenerCertificates",
      "elasticloadbalancing:RemoveListenerCertificates",
      "elasticloadbalancing:ModifyRule",
      "elasticloadbalancing:SetRulePriorities",
    ],
    "Resource": "*",
  },
];

/** The controller's policy statements, with ARNs in the stack's partition. */
export function albControllerPolicyStatements(): iam.PolicyStatement[] {
  const rewrite = (r: unknown): unknown => typeof r === 'string' ? r.replace('arn:aws:', `arn:${Aws.PARTITION}:`) : Array.isArray(r) ? r.map(rewrite) : r;
  return STATEMENTS.map(s => iam.PolicyStatement.fromJson({ ...s, Resource: rewrite(s.Resource) }));
}
