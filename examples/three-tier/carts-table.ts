import { Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';

/** The name of the carts table of `stack`: fixed, because it goes into the api's manifest, which cannot hold a CloudFormation reference. */
export function cartsTableName(stack: Stack): string {
  return `${stack.stackName}-carts`;
}

/**
 * The shop's carts: a DynamoDB table the api reads and writes through its workload identity. On demand,
 * encrypted with a KMS key, point-in-time recovery on, deletion-protected and retained, named {@link cartsTableName}.
 */
export function cartsTable(stack: Stack): dynamodb.Table {
  const table = new dynamodb.Table(stack, 'Carts', {
    tableName: cartsTableName(stack),
    partitionKey: { name: 'cartId', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
  });
  Validations.of(table).acknowledge({
    id: 'NIST.800.53.R5-DynamoDBInBackupPlan',
    reason: 'Carts are short-lived: point-in-time recovery restores the table to any second of the last 35 days, which a daily AWS Backup plan would not improve on.',
  });
  return table;
}
