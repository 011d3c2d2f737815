"""A local Salesforce org: OAuth, REST, SOQL, composite APIs, files and limits."""
