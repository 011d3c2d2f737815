"""AWS: SQS queues and the DynamoDB stores."""
