"""The workspace database: connection, transactions, migrations and the SQL that defines the public views."""
