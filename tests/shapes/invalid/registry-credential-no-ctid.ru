# rule: a credential needs a CTID
# base: registry.ttl
# profile: registry
# expect: Violation ; ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ; - ; ceterms:ctid ; sh:MinCountConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE DATA { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:ctid "ce-feffd318-45b9-4009-9f60-99d0fb8c48fe" } ;
