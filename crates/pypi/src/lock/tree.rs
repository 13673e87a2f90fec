//! Typed reads of a lock's TOML, straight from the parser's spanned tree.
//!
//! The readers do not derive serde's `Deserialize`: a derived struct is compiled again for
//! every toml deserializer and access type it can meet, which made the three lock readers
//! about 240 KB of the wasm module. The tree the parser builds anyway keeps every value's
//! span, so messages still point at a line and column.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{toml_error, toml_error_at, LockError};

/// A parsed lock, with what its messages need.
pub(super) struct Doc<'i> {
    file: &'i str,
    text: &'i str,
    root: Spanned<DeTable<'i>>,
}

impl<'i> Doc<'i> {
    pub(super) fn parse(file: &'i str, text: &'i str) -> Result<Doc<'i>, LockError> {
        let root = DeTable::parse(text).map_err(|e| toml_error(file, text, &e))?;
        Ok(Doc { file, text, root })
    }

    pub(super) fn root(&self) -> Table<'_, 'i> {
        Table {
            doc: self,
            table: self.root.get_ref(),
            span: self.root.span(),
        }
    }

    fn error(&self, at: usize, message: String) -> LockError {
        toml_error_at(self.file, self.text, at, message)
    }
}

/// One value of the document and where it is.
#[derive(Clone, Copy)]
pub(super) struct Value<'d, 'i> {
    doc: &'d Doc<'i>,
    value: &'d Spanned<DeValue<'i>>,
}

impl<'d, 'i> Value<'d, 'i> {
    /// The error serde would give for a value of the wrong type.
    fn mismatch(&self, expected: &str) -> LockError {
        self.doc.error(
            self.value.span().start,
            format!(
                "invalid type: {}, expected {expected}",
                self.value.get_ref().type_str()
            ),
        )
    }

    pub(super) fn string(&self) -> Result<String, LockError> {
        match self.value.get_ref() {
            DeValue::String(text) => Ok(text.to_string()),
            _ => Err(self.mismatch("a string")),
        }
    }

    pub(super) fn u64(&self) -> Result<u64, LockError> {
        match self.value.get_ref() {
            DeValue::Integer(n) => u64::from_str_radix(n.as_str(), n.radix()).map_err(|_| {
                self.doc.error(
                    self.value.span().start,
                    format!("invalid value: integer `{n}`, expected u64"),
                )
            }),
            _ => Err(self.mismatch("u64")),
        }
    }

    pub(super) fn bool(&self) -> Result<bool, LockError> {
        match self.value.get_ref() {
            DeValue::Boolean(b) => Ok(*b),
            _ => Err(self.mismatch("a boolean")),
        }
    }

    pub(super) fn table(&self) -> Result<Table<'d, 'i>, LockError> {
        match self.value.get_ref() {
            DeValue::Table(table) => Ok(Table {
                doc: self.doc,
                table,
                span: self.value.span(),
            }),
            _ => Err(self.mismatch("a table")),
        }
    }

    /// `read` applied to each item of an array. A plain loop, not `collect`: every call site
    /// instantiates this, and the iterator adapters cost several times the size.
    pub(super) fn list<T>(
        &self,
        read: impl Fn(Value<'d, 'i>) -> Result<T, LockError>,
    ) -> Result<Vec<T>, LockError> {
        let DeValue::Array(items) = self.value.get_ref() else {
            return Err(self.mismatch("a sequence"));
        };
        let mut out = Vec::with_capacity(items.len());
        for value in items.iter() {
            out.push(read(Value {
                doc: self.doc,
                value,
            })?);
        }
        Ok(out)
    }

    pub(super) fn tables<T>(
        &self,
        read: impl Fn(&Table<'d, 'i>) -> Result<T, LockError>,
    ) -> Result<Vec<T>, LockError> {
        self.list(|item| read(&item.table()?))
    }

    pub(super) fn strings(&self) -> Result<Vec<String>, LockError> {
        self.list(|item| item.string())
    }

    pub(super) fn map<T>(
        &self,
        read: impl Fn(Value<'d, 'i>) -> Result<T, LockError>,
    ) -> Result<BTreeMap<String, T>, LockError> {
        self.table()?.map(read)
    }

    pub(super) fn is_table(&self) -> bool {
        self.value.get_ref().is_table()
    }

    pub(super) fn is_array(&self) -> bool {
        self.value.get_ref().is_array()
    }
}

/// One table of the document and where it is.
#[derive(Clone)]
pub(super) struct Table<'d, 'i> {
    doc: &'d Doc<'i>,
    table: &'d DeTable<'i>,
    span: Range<usize>,
}

impl<'d, 'i> Table<'d, 'i> {
    pub(super) fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    pub(super) fn get(&self, key: &str) -> Option<Value<'d, 'i>> {
        self.table.get(key).map(|value| Value {
            doc: self.doc,
            value,
        })
    }

    /// A key the table must have.
    pub(super) fn require(&self, key: &str) -> Result<Value<'d, 'i>, LockError> {
        self.get(key).ok_or_else(|| {
            self.doc
                .error(self.span.start, format!("missing field `{key}`"))
        })
    }

    /// `read` applied to each value, by key. Inserting one by one, not `collect`: collecting
    /// into a `BTreeMap` sorts first, and each key-value type would bring its own sort.
    pub(super) fn map<T>(
        &self,
        read: impl Fn(Value<'d, 'i>) -> Result<T, LockError>,
    ) -> Result<BTreeMap<String, T>, LockError> {
        let mut out = BTreeMap::new();
        for (key, value) in self.table.iter() {
            let value = Value {
                doc: self.doc,
                value,
            };
            out.insert(key.get_ref().to_string(), read(value)?);
        }
        Ok(out)
    }

    pub(super) fn string(&self, key: &str) -> Result<Option<String>, LockError> {
        self.get(key).map(|v| v.string()).transpose()
    }

    pub(super) fn u64(&self, key: &str) -> Result<Option<u64>, LockError> {
        self.get(key).map(|v| v.u64()).transpose()
    }

    pub(super) fn bool(&self, key: &str) -> Result<Option<bool>, LockError> {
        self.get(key).map(|v| v.bool()).transpose()
    }

    pub(super) fn table(&self, key: &str) -> Result<Option<Table<'d, 'i>>, LockError> {
        self.get(key).map(|v| v.table()).transpose()
    }

    pub(super) fn strings(&self, key: &str) -> Result<Option<Vec<String>>, LockError> {
        self.get(key).map(|v| v.strings()).transpose()
    }

    /// An array of tables; none when the key is missing.
    pub(super) fn tables<T>(
        &self,
        key: &str,
        read: impl Fn(&Table<'d, 'i>) -> Result<T, LockError>,
    ) -> Result<Vec<T>, LockError> {
        match self.get(key) {
            Some(items) => items.tables(read),
            None => Ok(Vec::new()),
        }
    }

    /// An array of tables, each kept with its span; none when the key is missing.
    pub(super) fn spanned_tables<T>(
        &self,
        key: &str,
        read: impl Fn(&Table<'d, 'i>) -> Result<T, LockError>,
    ) -> Result<Vec<Spanned<T>>, LockError> {
        self.tables(key, |table| Ok(Spanned::new(table.span(), read(table)?)))
    }

    /// A table of strings, such as a file's `hashes`; empty when the key is missing.
    pub(super) fn string_map(&self, key: &str) -> Result<BTreeMap<String, String>, LockError> {
        match self.get(key) {
            Some(table) => table.map(|v| v.string()),
            None => Ok(BTreeMap::new()),
        }
    }
}
