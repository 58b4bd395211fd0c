/**
 * Generated from openapi/openapi.yaml and the rule catalogue (src/domain/rules.ts) by `npm run operations`:
 * edit those, not this file. test/contract.test.ts fails when it is stale.
 */

export type OperationId = "createAccessToken" | "createAccountMemberTokens" | "createCustomerToken" | "getCarts" | "createACart" | "getACart" | "updateACart" | "deleteACart" | "createAccountCartAssociation" | "deleteAccountCartAssociation" | "createCustomerCartAssociation" | "deleteCustomerCartAssociation" | "resetStub" | "getStubState" | "putStubState" | "seedStub" | "getStubRequests" | "deleteStubRequests" | "getStubCoverage" | "deleteStubCoverage" | "getStubFaults" | "createStubFaults" | "deleteStubFaults" | "getStubClock" | "setStubClock" | "getHealth" | "getReadiness";

/** The operations of Elastic Path's API, not the stub's own: the journal records these, and faults apply to them. */
export type ElasticPathOperationId = "createAccessToken" | "createAccountMemberTokens" | "createCustomerToken" | "getCarts" | "createACart" | "getACart" | "updateACart" | "deleteACart" | "createAccountCartAssociation" | "deleteAccountCartAssociation" | "createCustomerCartAssociation" | "deleteCustomerCartAssociation";

/** The body each operation takes, by its schema in the document (null: it takes none). */
export interface RequestBodies {
  createAccessToken: AccessTokenRequest;
  createAccountMemberTokens: AccountMemberTokenRequest;
  createCustomerToken: CustomerTokenRequest;
  getCarts: null;
  createACart: CartCreateRequest;
  getACart: null;
  updateACart: CartUpdateRequest;
  deleteACart: null;
  createAccountCartAssociation: AccountAssociationCreateRequest;
  deleteAccountCartAssociation: AccountAssociationDeleteRequest;
  createCustomerCartAssociation: CustomerAssociationCreateRequest;
  deleteCustomerCartAssociation: CustomerAssociationDeleteRequest;
}

/** The successful answers of each operation, by the behaviour rule that gives them. */
export interface Successes {
  createAccessToken: { status: 200; rule: "tokens.1" } | { status: 200; rule: "tokens.2" };
  createAccountMemberTokens: { status: 201; rule: "tokens.5" } | { status: 201; rule: "tokens.6" };
  createCustomerToken: { status: 200; rule: "tokens.9" };
  getCarts: { status: 200; rule: "carts.12" } | { status: 200; rule: "carts.15" } | { status: 200; rule: "carts.18" };
  createACart: { status: 201; rule: "carts.1" } | { status: 201; rule: "carts.2" };
  getACart: { status: 200; rule: "carts.5" } | { status: 200; rule: "carts.6" };
  updateACart: { status: 200; rule: "carts.8" };
  deleteACart: { status: 204; rule: "carts.10" };
  createAccountCartAssociation: { status: 204; rule: "associations.15" } | { status: 200; rule: "associations.16" };
  deleteAccountCartAssociation: { status: 204; rule: "associations.17" } | { status: 204; rule: "associations.18" };
  createCustomerCartAssociation: { status: 204; rule: "associations.15" } | { status: 200; rule: "associations.16" };
  deleteCustomerCartAssociation: { status: 204; rule: "associations.17" } | { status: 204; rule: "associations.18" };
}

/** The behaviour rules that refuse each operation's requests. */
export interface Refusals {
  createAccessToken: "tokens.3" | "tokens.4";
  createAccountMemberTokens: "tokens.7" | "tokens.8";
  createCustomerToken: "tokens.10";
  getCarts: "carts.13" | "carts.14" | "carts.16" | "carts.19" | "carts.20" | "carts.24";
  createACart: "carts.3" | "carts.4" | "carts.17" | "carts.22" | "carts.23" | "carts.24";
  getACart: "carts.7" | "carts.20" | "carts.24";
  updateACart: "carts.3" | "carts.7" | "carts.9" | "carts.21" | "carts.22" | "carts.23" | "carts.24";
  deleteACart: "carts.7" | "carts.9" | "carts.11";
  createAccountCartAssociation: "associations.1" | "associations.2" | "associations.3" | "associations.4" | "associations.5" | "associations.6" | "associations.7" | "associations.8" | "associations.9" | "associations.10" | "associations.11" | "associations.12" | "associations.13" | "associations.14" | "associations.19";
  deleteAccountCartAssociation: "associations.1" | "associations.2" | "associations.3" | "associations.4" | "associations.5" | "associations.6" | "associations.8" | "associations.9" | "associations.10" | "associations.11" | "associations.12";
  createCustomerCartAssociation: "associations.1" | "associations.2" | "associations.3" | "associations.4" | "associations.5" | "associations.6" | "associations.7" | "associations.8" | "associations.9" | "associations.10" | "associations.11" | "associations.12" | "associations.13" | "associations.19";
  deleteCustomerCartAssociation: "associations.1" | "associations.2" | "associations.3" | "associations.4" | "associations.5" | "associations.6" | "associations.8" | "associations.9" | "associations.10" | "associations.11" | "associations.12";
}

export type AccessTokenRequest = { grant_type: "implicit" | "client_credentials"; client_id: string; client_secret?: string };

export type AccountAssociationCreateRequest = AccountRelationships & { data?: unknown };

export type AccountAssociationDeleteRequest = AccountRelationships & { data?: unknown };

export type AccountMemberTokenRequest = { data: { type: "account_management_authentication_token"; authentication_mechanism: "password" | "account_management_authentication_token"; password_profile_id?: string; username?: string; password?: string } };

export type AccountRelationship = { type: "account" } & { id: ResourceId };

export type AccountRelationships = { data: AccountRelationship[] };

export type CartAttributes = { name?: CartName; description?: string; contact?: Contact; discount_settings?: DiscountSettings; inventory_settings?: InventorySettings; custom_attributes?: CustomAttributes; snapshot_date?: SnapshotDate };

export type CartCreateRequest = { data: CartAttributes & { id?: string } };

export type CartName = string;

export type CartUpdateRequest = { data: CartAttributes };

export type Contact = { email?: string };

export type CustomAttribute = { type: "string" | "integer" | "float" | "boolean"; value: string | number | boolean };

export type CustomAttributes = { [key: string]: CustomAttribute };

export type CustomerAssociationCreateRequest = CustomerRelationships & { data?: unknown };

export type CustomerAssociationDeleteRequest = CustomerRelationships & { data?: unknown };

export type CustomerRelationship = { type: "customer" } & { id: ResourceId };

export type CustomerRelationships = { data: CustomerRelationship[] };

export type CustomerTokenRequest = { data: { type: "token"; authentication_mechanism?: "password"; email: string; password: string } };

export type DiscountSettings = { custom_discounts_enabled?: boolean; use_rule_promotions?: boolean };

export type InventorySettings = { defer_inventory_check?: boolean };

export type ResourceId = string;

export type SnapshotDate = string;
