# rule: a date property holds a date
# base: registry.ttl
# profile: structure
# expect: Violation ; ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ; - ; ceterms:dateEffective ; sh:DatatypeConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:dateEffective ?d } ; INSERT DATA { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:dateEffective "September 2024"^^xsd:date }
